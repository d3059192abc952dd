import Crypto
import Foundation

/// Random secrets (API keys, invitation tokens) and their hashes. Only hashes are ever stored.
public enum Secrets {
    /// `count` random bytes from the system's secure generator, as unpadded base64url.
    public static func randomToken(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Base64URL.encode(Data(bytes))
    }

    /// Lower-case hex SHA-256 of `text`.
    public static func hash(_ text: String) -> String {
        Hex.encode(SHA256.hash(data: Data(text.utf8)))
    }

    /// Compares two strings in time that depends only on their lengths.
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

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

/// Lower-case hexadecimal text of bytes (without `String(format:)`, which is slow on hot paths).
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Unpadded base64url (RFC 4648 §5): tokens and cursors that travel in URLs and headers.
public enum Base64URL {
    public static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes of `text`, or nil when it is not base64url.
    public static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
