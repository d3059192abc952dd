/// The delivery state of an invitation's message.
public struct DeliveryState: Sendable, Equatable {
    /// Where the message is.
    public var status: DeliveryStatus
    public var attempts: Int
    public var lastAttemptAt: Millis?
    public var nextAttemptAt: Millis?
    public var deliveredAt: Millis?
    public var lastError: String?
}
