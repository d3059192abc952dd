/// Where an invitation's message is in its delivery.
public enum DeliveryStatus: String, Sendable, CaseIterable {
    /// Waiting for its (next) attempt.
    case queued
    /// Accepted by the mail server (or written as a file).
    case sent
    /// Refused for good, or given up after the last attempt.
    case failed
    /// Not needed any more: the invitation was accepted, replaced or expired first.
    case cancelled
}
