/// One message to deliver: the SMTP envelope addresses and the full RFC 5322 text.
public struct SMTPEnvelope: Sendable, Equatable {
    /// The envelope sender (`MAIL FROM`); an empty string sends the null reverse-path `<>`.
    public var from: String
    /// The envelope recipients (`RCPT TO`), at least one.
    public var recipients: [String]
    /// The whole message, headers and body, with CRLF or LF line endings; normalised to CRLF and dot-stuffed on the wire.
    public var message: String

    /// An envelope for `message` from `from` to every address in `recipients`.
    public init(from: String, recipients: [String], message: String) {
        self.from = from
        self.recipients = recipients
        self.message = message
    }
}
