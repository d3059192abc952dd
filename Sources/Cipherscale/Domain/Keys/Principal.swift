/// The caller of a request, as established from its API key.
public struct Principal: Sendable, Equatable {
    public var tenantId: TenantID
    public var keyId: APIKeyID
    public var readOnly: Bool
}
