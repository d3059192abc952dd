/// One message ready to go: envelope addresses and the full RFC 5322 text.
public struct OutgoingMail: Sendable, Equatable {
    /// The `Message-ID` (without angle brackets); stable across retries of the same outbox row.
    public var messageId: String
    public var from: String
    public var to: String
    public var data: String
}
