/// An API key as listed (never with its secret).
public struct APIKeyRecord: Sendable, Equatable {
    public var id: APIKeyID
    public var tenantId: TenantID
    public var prefix: String
    public var readOnly: Bool
    public var createdAt: Millis
    public var revokedAt: Millis?
}
