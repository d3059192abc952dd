import SQLKit

extension DirectoryStore {
    /// Creates a tenant with its seven system roles, its Default group (granting DEFAULT) and its owner,
    /// who is active, in the Default group and holds OWNER directly. Returns the tenant and owner ids.
    public func createTenant(name: String, ownerEmail: String) async throws -> (tenantId: String, ownerUserId: String) {
        try await pool.transaction { db in
            let now = Timestamps.now()
            let tenantId = Identifiers.make()
            let ownerId = Identifiers.make()
            let groupId = Identifiers.make()
            try await db.raw(
                "INSERT INTO tenants (id, name, user_count, created_at, updated_at) VALUES (\(bind: tenantId), \(bind: name), 1, \(bind: now), \(bind: now))"
            ).run()
            var roleIds: [RoleType: String] = [:]
            for type in RoleType.allCases {
                let id = Identifiers.make()
                roleIds[type] = id
                try await db.raw(
                    """
                    INSERT INTO roles (tenant_id, id, type, name, description, deleteable, created_at, updated_at)
                    VALUES (\(bind: tenantId), \(bind: id), \(bind: type.rawValue), \(bind: type.displayName), \(bind: type.summary), \(bind: false), \(bind: now), \(bind: now))
                    """
                ).run()
            }
            try await db.raw(
                """
                INSERT INTO directory_groups (tenant_id, id, name, name_key, description, is_default, deleteable, max_devices,
                is_saml_default, idp_mapping, member_count, created_at, updated_at)
                VALUES (\(bind: tenantId), \(bind: groupId), 'Default', 'default', 'Every user belongs to at least one group; new users without groups join this one.',
                \(bind: true), \(bind: false), NULL, \(bind: false), '[]', 1, \(bind: now), \(bind: now))
                """
            ).run()
            try await db.raw(
                "INSERT INTO group_roles (tenant_id, group_id, role_id) VALUES (\(bind: tenantId), \(bind: groupId), \(bind: roleIds[.defaultRole]!))"
            ).run()
            try await db.raw(
                """
                INSERT INTO users (tenant_id, id, email, email_key, status, is_owner, invitation_accepted, created_at, updated_at)
                VALUES (\(bind: tenantId), \(bind: ownerId), \(bind: ownerEmail), \(bind: ownerEmail.lowercased()), 'active', \(bind: true), \(bind: true), \(bind: now), \(bind: now))
                """
            ).run()
            try await db.raw(
                "INSERT INTO group_members (tenant_id, group_id, user_id, created_at) VALUES (\(bind: tenantId), \(bind: groupId), \(bind: ownerId), \(bind: now))"
            ).run()
            try await db.raw(
                "INSERT INTO user_roles (tenant_id, user_id, role_id, created_at) VALUES (\(bind: tenantId), \(bind: ownerId), \(bind: roleIds[.owner]!), \(bind: now))"
            ).run()
            try await audit(db, tenantId: tenantId, [
                AuditEntry("tenant.create", target: ("tenant", tenantId), related: ("user", ownerId), changes: [
                    "name": AuditChange(.null, .string(name)), "ownerEmail": AuditChange(.null, .string(ownerEmail)),
                ])
            ], at: now)
            return (tenantId, ownerId)
        }
    }

    /// How many tenants exist.
    public func tenantCount() async throws -> Int {
        try await pool.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM tenants").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    static func apiKey(_ row: any SQLRow) throws -> APIKeyRecord {
        APIKeyRecord(
            id: try row.decode(column: "id", as: String.self),
            tenantId: try row.decode(column: "tenant_id", as: String.self),
            prefix: try row.decode(column: "prefix", as: String.self),
            readOnly: try row.decode(column: "read_only", as: Bool.self),
            createdAt: try row.decode(column: "created_at", as: Millis.self),
            revokedAt: try row.decode(column: "revoked_at", as: Millis?.self)
        )
    }

    /// Stores a new key's prefix and secret hash for a tenant (404 when the tenant does not exist).
    public func insertAPIKey(tenantId: String, prefix: String, secretHash: String, readOnly: Bool) async throws -> APIKeyRecord {
        try await pool.transaction { db in
            guard try await db.raw("SELECT id FROM tenants WHERE id = \(bind: tenantId)").first() != nil else {
                throw DirectoryError.notFound("No tenant with this id exists.")
            }
            let record = APIKeyRecord(
                id: Identifiers.make(), tenantId: tenantId, prefix: prefix, readOnly: readOnly, createdAt: Timestamps.now(), revokedAt: nil
            )
            try await db.raw(
                """
                INSERT INTO api_keys (id, tenant_id, prefix, secret_hash, read_only, created_at)
                VALUES (\(bind: record.id), \(bind: tenantId), \(bind: prefix), \(bind: secretHash), \(bind: readOnly), \(bind: record.createdAt))
                """
            ).run()
            try await audit(db, tenantId: tenantId, [
                AuditEntry("apikey.create", target: ("apiKey", record.id), changes: [
                    "prefix": AuditChange(.null, .string(prefix)), "readOnly": AuditChange(.null, .bool(readOnly)),
                ])
            ], at: record.createdAt)
            return record
        }
    }

    /// A tenant's keys, oldest first, revoked ones included.
    public func apiKeys(tenantId: String) async throws -> [APIKeyRecord] {
        try await pool.read { db in
            try await db.raw(
                "SELECT id, tenant_id, prefix, read_only, created_at, revoked_at FROM api_keys WHERE tenant_id = \(bind: tenantId) ORDER BY created_at, id"
            ).all().map(Self.apiKey)
        }
    }

    /// Revokes a key; false when no such key exists. Revoking twice keeps the first time.
    public func revokeAPIKey(id: String) async throws -> Bool {
        try await pool.transaction { db in
            let now = Timestamps.now()
            let rows = try await db.raw(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, \(bind: now)) WHERE id = \(bind: id) RETURNING tenant_id, revoked_at"
            ).all()
            guard let row = rows.first else { return false }
            if try row.decode(column: "revoked_at", as: Millis.self) == now {
                try await audit(db, tenantId: try row.decode(column: "tenant_id", as: String.self), [
                    AuditEntry("apikey.revoke", target: ("apiKey", id), changes: ["revoked": AuditChange(.bool(false), .bool(true))])
                ], at: now)
            }
            return true
        }
    }

    /// The key with this prefix and its stored secret hash; when there is none, a decoy row with
    /// `decoyHash` and `found` false. Both cases read, decode and compare one row the same way, so
    /// an unknown prefix costs what a known one does.
    public func apiKey(prefix: String, decoyHash: String) async throws -> (record: APIKeyRecord, secretHash: String, found: Bool) {
        try await pool.read { db in
            guard let row = try await db.raw(
                """
                SELECT id, tenant_id, prefix, secret_hash, read_only, created_at, revoked_at, 1 AS found FROM api_keys WHERE prefix = \(bind: prefix)
                UNION ALL
                SELECT '', '', '', \(bind: decoyHash), \(bind: false), CAST(0 AS BIGINT), CAST(NULL AS BIGINT), 0
                ORDER BY found DESC LIMIT 1
                """
            ).first() else { throw DirectoryError(.unauthorized, "The API key is not valid.") }
            return (try Self.apiKey(row), try row.decode(column: "secret_hash", as: String.self), try row.decode(column: "found", as: Int.self) == 1)
        }
    }
}
