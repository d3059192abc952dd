/// Where mail goes: an SMTP server, or files when none is configured. A seam for tests.
public protocol MailTransport: Sendable {
    /// Delivers each message, answering one result per message in order.
    func deliver(_ messages: [OutgoingMail]) async -> [Result<Void, MailDeliveryError>]
}
