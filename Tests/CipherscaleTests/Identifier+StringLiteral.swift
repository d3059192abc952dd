@testable import Cipherscale

extension Identifier: ExpressibleByStringLiteral {
    /// Fixed ids in model fixtures (`"u1"`); the server never makes ids from literals.
    public init(stringLiteral value: String) {
        self.init(trusted: value)
    }
}
