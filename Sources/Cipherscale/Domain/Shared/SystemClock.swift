import Foundation

/// The machine's wall clock.
public struct SystemClock: DirectoryClock {
    /// A wall clock.
    public init() {}

    /// The current wall-clock time, truncated to the millisecond.
    public func now() -> Millis {
        Millis((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
