/// Delivery over SMTP with ``SMTPClient``: one connection per batch.
public struct SMTPMailTransport: MailTransport {
    let client: SMTPClient

    public init(configuration: SMTPConfiguration) {
        client = SMTPClient(configuration: configuration)
    }

    public func deliver(_ messages: [OutgoingMail]) async -> [Result<Void, MailDeliveryError>] {
        let envelopes = messages.map { SMTPEnvelope(from: $0.from, recipients: [$0.to], message: $0.data) }
        return await client.send(envelopes).map { result in
            result.mapError { error in
                error.isPermanent ? .permanent(String(describing: error)) : .transient(String(describing: error))
            }
        }
    }
}
