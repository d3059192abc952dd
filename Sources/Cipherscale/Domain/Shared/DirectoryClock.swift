import Foundation

/// The source of the current time. Injected into every service and worker, so time-dependent
/// rules (invitation expiry, device status, leases, retention) can be tested by moving a clock.
public protocol DirectoryClock: Sendable {
    /// The current time in milliseconds since the Unix epoch.
    func now() -> Millis
}

/// The machine's wall clock.
public struct SystemClock: DirectoryClock {
    /// A wall clock.
    public init() {}

    /// The current wall-clock time, truncated to the millisecond.
    public func now() -> Millis {
        Millis((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
