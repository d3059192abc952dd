/// A new invitation. Its token is derived from its id with the server's secret (see
/// ``InvitationTokens``), so only the hash is ever stored; the clear token exists only in the link.
public struct NewInvitation: Sendable {
    public var id: InvitationID
    public var tokenHash: String
}
