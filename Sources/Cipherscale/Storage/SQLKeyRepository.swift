import SQLKit

/// API keys in SQL: only each secret's SHA-256 is stored; the prefix finds the row.
public struct SQLKeyRepository: KeyRepository {
    /// The shared store.
    let store: SQLStore

    /// A repository over `store`.
    public init(store: SQLStore) {
        self.store = store
    }

    private static func apiKey(_ row: any SQLRow) throws -> APIKeyRecord {
        APIKeyRecord(
            id: APIKeyID(trusted: try row.decode(column: "id", as: String.self)),
            tenantId: TenantID(trusted: try row.decode(column: "tenant_id", as: String.self)),
            prefix: try row.decode(column: "prefix", as: String.self),
            readOnly: try row.decode(column: "read_only", as: Bool.self),
            createdAt: try row.decode(column: "created_at", as: Millis.self),
            revokedAt: try row.decode(column: "revoked_at", as: Millis?.self)
        )
    }

    /// Stores a new key's prefix and secret hash for a tenant (404 when the tenant does not exist).
    public func insert(tenant: TenantID, prefix: String, secretHash: String, readOnly: Bool, now: Millis, actor: AuditActor) async throws
        -> APIKeyRecord
    {
        let tenantId = tenant.rawValue
        return try await store.pool.transaction { db in
            guard try await db.raw("SELECT id FROM tenants WHERE id = \(bind: tenantId)").first() != nil else {
                throw DirectoryError.notFound("No tenant with this id exists.")
            }
            let record = APIKeyRecord(id: APIKeyID.make(), tenantId: tenant, prefix: prefix, readOnly: readOnly, createdAt: now, revokedAt: nil)
            try await db.raw(
                """
                INSERT INTO api_keys (id, tenant_id, prefix, secret_hash, read_only, created_at)
                VALUES (\(bind: record.id.rawValue), \(bind: tenantId), \(bind: prefix), \(bind: secretHash), \(bind: readOnly), \(bind: record.createdAt))
                """
            ).run()
            try await store.audit(
                db,
                [
                    AuditEntry(
                        .apiKeyCreate, target: ("apiKey", record.id.rawValue),
                        changes: [
                            "prefix": AuditChange(.null, .string(prefix)), "readOnly": AuditChange(.null, .bool(readOnly)),
                        ])
                ], context: OperationContext(tenantId: tenant, actor: actor, now: now))
            return record
        }
    }

    /// A tenant's keys, oldest first, revoked ones included.
    public func keys(of tenant: TenantID) async throws -> [APIKeyRecord] {
        let tenantId = tenant.rawValue
        return try await store.pool.read { db in
            try await db.raw(
                "SELECT id, tenant_id, prefix, read_only, created_at, revoked_at FROM api_keys WHERE tenant_id = \(bind: tenantId) ORDER BY created_at, id"
            ).all().map(Self.apiKey)
        }
    }

    /// Revokes a key; false when no such key exists. Revoking twice keeps the first time.
    public func revoke(_ key: APIKeyID, tenant: TenantID?, now: Millis, actor: AuditActor) async throws -> Bool {
        let id = key.rawValue
        let sql: SQLQueryString =
            if let tenant {
                """
                UPDATE api_keys SET revoked_at = COALESCE(revoked_at, \(bind: now)) WHERE id = \(bind: id) AND tenant_id = \(bind: tenant.rawValue)
                RETURNING tenant_id, revoked_at
                """
            } else {
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, \(bind: now)) WHERE id = \(bind: id) RETURNING tenant_id, revoked_at"
            }
        return try await store.pool.transaction { db in
            let rows = try await db.raw(sql).all()
            guard let row = rows.first else { return false }
            if try row.decode(column: "revoked_at", as: Millis.self) == now {
                let tenant = TenantID(trusted: try row.decode(column: "tenant_id", as: String.self))
                try await store.audit(
                    db,
                    [
                        AuditEntry(.apiKeyRevoke, target: ("apiKey", id), changes: ["revoked": AuditChange(.bool(false), .bool(true))])
                    ], context: OperationContext(tenantId: tenant, actor: actor, now: now))
            }
            return true
        }
    }

    /// The key with this prefix and its stored secret hash; when there is none, a decoy row with
    /// `decoyHash` and `found` false. Both cases read, decode and compare one row the same way, so
    /// an unknown prefix costs what a known one does.
    public func lookup(prefix: String, decoyHash: String) async throws -> (record: APIKeyRecord, secretHash: String, found: Bool) {
        try await store.pool.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT id, tenant_id, prefix, secret_hash, read_only, created_at, revoked_at, 1 AS found FROM api_keys WHERE prefix = \(bind: prefix)
                    UNION ALL
                    SELECT '00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000', '', \(bind: decoyHash), \(bind: false), CAST(0 AS BIGINT), CAST(NULL AS BIGINT), 0
                    ORDER BY found DESC LIMIT 1
                    """
                ).first()
            else { throw DirectoryError(.unauthorized, "The API key is not valid.") }
            return (try Self.apiKey(row), try row.decode(column: "secret_hash", as: String.self), try row.decode(column: "found", as: Int.self) == 1)
        }
    }

    /// Hears every change to any key, in any process (PostgreSQL's notifications, migration 013):
    /// `onListening` once listening, `onChange` per changing statement; returns at once on SQLite,
    /// and throws when the connection is lost.
    public func listenForChanges(onListening: @Sendable () -> Void, onChange: @Sendable () -> Void) async throws {
        try await store.pool.listen(AddKeyChangeNotifications.channel, onListening: onListening, onNotification: onChange)
    }
}
