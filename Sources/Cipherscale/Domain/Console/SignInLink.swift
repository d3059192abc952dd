/// A sign-in link to store.
public struct SignInLink: Sendable {
    public var id: String
    public var tenantId: TenantID
    public var userId: UserID
    public var tokenHash: String
    public var createdAt: Millis
    public var expiresAt: Millis
}
