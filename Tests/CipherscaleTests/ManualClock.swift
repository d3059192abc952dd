import Synchronization

@testable import Cipherscale

/// A clock for tests: the wall clock plus an offset that a test moves forward, so time-dependent
/// rules (expiry, device status, leases, retention) are tested by moving time, never by writing SQL.
final class ManualClock: DirectoryClock {
    private let offset = Mutex<Millis>(0)

    /// The wall clock's time plus the offset.
    func now() -> Millis {
        SystemClock().now() + offset.withLock { $0 }
    }

    /// Moves the clock forward by `millis`.
    func advance(by millis: Millis) {
        offset.withLock { $0 += millis }
    }
}
