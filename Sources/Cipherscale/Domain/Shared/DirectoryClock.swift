import Foundation

/// The source of the current time. Injected into every service and worker, so time-dependent
/// rules (invitation expiry, device status, leases, retention) can be tested by moving a clock.
public protocol DirectoryClock: Sendable {
    /// The current time in milliseconds since the Unix epoch.
    func now() -> Millis
}
