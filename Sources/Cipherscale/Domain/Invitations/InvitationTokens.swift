import Crypto
import Foundation

/// Invitation tokens that never need storing: each is an HMAC of its invitation's id under the
/// server's secret, so the database holds only the token's SHA-256 (for lookup) and the mail
/// worker can rebuild the link when it sends. 256 bits, base64url.
public struct InvitationTokens: Sendable {
    private let secret: Data

    /// Uses `secret` (at least 32 bytes) as the HMAC key.
    public init(secret: Data) {
        self.secret = secret
    }

    /// A random secret for tests and first starts.
    public static func randomSecret() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The token of an invitation.
    public func token(for invitationId: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("invitation:\(invitationId)".utf8), using: SymmetricKey(data: secret))
        return Base64URL.encode(Data(mac))
    }

    /// The token of a console sign-in link: the same construction, in its own domain, so an
    /// invitation's token can never sign anyone in.
    public func signInToken(for linkId: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("console-signin:\(linkId)".utf8), using: SymmetricKey(data: secret))
        return Base64URL.encode(Data(mac))
    }

    /// A new invitation id with the hash of its token.
    public func newInvitation() -> NewInvitation {
        let id = InvitationID.make()
        return NewInvitation(id: id, tokenHash: Secrets.hash(token(for: id.rawValue)))
    }
}
