/// An API key as shown once: `csk_<prefix>_<secret>`. The prefix (64 random bits, hex) finds the
/// stored row; the secret (256 random bits) is checked against its SHA-256 hash.
public struct APIKeySecret: Sendable, Equatable {
    public var prefix: String
    public var secret: String

    /// The full key a client sends in the `apikey` header.
    public var text: String { "csk_\(prefix)_\(secret)" }

    /// A new random key.
    public static func generate() -> APIKeySecret {
        var generator = SystemRandomNumberGenerator()
        let prefix = Hex.encode((0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return APIKeySecret(prefix: prefix, secret: Secrets.randomToken(bytes: 32))
    }

    /// Splits a presented key, or nil when it does not have the shape of one.
    public static func parse(_ text: String) -> APIKeySecret? {
        let parts = text.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "csk", parts[1].count == 16, !parts[2].isEmpty, parts[2].count <= 64 else { return nil }
        return APIKeySecret(prefix: String(parts[1]), secret: String(parts[2]))
    }
}
