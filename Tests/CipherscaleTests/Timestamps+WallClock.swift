@testable import Cipherscale

extension Timestamps {
    /// The wall clock, for tests that compare answers with the time they were made.
    static func now() -> Millis { SystemClock().now() }
}
