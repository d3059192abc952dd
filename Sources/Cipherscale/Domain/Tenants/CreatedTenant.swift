/// A new tenant: its id, its owner's id and the text of its first admin key (shown once).
public struct CreatedTenant: Sendable, Equatable {
    public var tenantId: TenantID
    public var ownerUserId: UserID
    public var apiKey: String
}
