/// Where API keys live (only the SHA-256 of each secret).
public protocol KeyRepository: Sendable {
    /// Stores a new key's prefix and secret hash for a tenant (404 when the tenant does not exist).
    func insert(tenant: TenantID, prefix: String, secretHash: String, readOnly: Bool, now: Millis, actor: AuditActor) async throws -> APIKeyRecord
    /// A tenant's keys, oldest first, revoked ones included.
    func keys(of tenant: TenantID) async throws -> [APIKeyRecord]
    /// Revokes a key (of `tenant` only, when given); false when no such key exists. Revoking twice keeps the first time.
    func revoke(_ id: APIKeyID, tenant: TenantID?, now: Millis, actor: AuditActor) async throws -> Bool
    /// The key with this prefix and its stored secret hash; when there is none, a decoy row with
    /// `decoyHash` and `found` false, read and decoded the same way.
    func lookup(prefix: String, decoyHash: String) async throws -> (record: APIKeyRecord, secretHash: String, found: Bool)
}
