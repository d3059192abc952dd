/// An invitation as its link's owner sees it.
public struct InvitationView: Sendable, Equatable {
    public var id: InvitationID
    public var userId: UserID
    public var email: String
    public var tenantId: TenantID
    public var tenantName: String
    /// The stored state; expiry is judged against `expiresAt`.
    public var status: InvitationState
    public var createdAt: Millis
    public var expiresAt: Millis
    public var consumedAt: Millis?
}
