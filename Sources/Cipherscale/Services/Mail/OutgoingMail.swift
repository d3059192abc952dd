/// One message ready to go: envelope addresses and the full RFC 5322 text.
public struct OutgoingMail: Sendable, Equatable {
    /// The `Message-ID` (without angle brackets); stable across retries of the same outbox row.
    public var messageId: String
    public var from: String
    public var to: String
    /// The whole message as sent: headers and MIME parts.
    public var data: String
    /// A readable copy for people without a mail client: subject and the plain-text part.
    public var readable: String
    /// The link the message exists to deliver (an invitation's accept link), if any.
    public var link: String?

    public init(messageId: String, from: String, to: String, data: String, readable: String = "", link: String? = nil) {
        self.messageId = messageId
        self.from = from
        self.to = to
        self.data = data
        self.readable = readable
        self.link = link
    }
}
