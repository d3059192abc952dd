/// How a delivery attempt went.
public enum MailDeliveryError: Error, Sendable, Equatable {
    /// Worth retrying later (4xx, connection trouble, timeouts).
    case transient(String)
    /// Never worth retrying (5xx).
    case permanent(String)
}
