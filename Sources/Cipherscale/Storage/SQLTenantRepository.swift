import SQLKit

/// Tenants and the server's own secrets in SQL.
public struct SQLTenantRepository: TenantRepository {
    /// The shared store.
    let store: SQLStore

    /// A repository over `store`.
    public init(store: SQLStore) {
        self.store = store
    }

    public func ping() async -> Bool {
        await store.ping()
    }

    public func pendingMigrations() async throws -> (applied: Int, pending: [String]) {
        let applied = try await store.pool.read { db in
            Set(try await db.raw("SELECT name FROM schema_migrations").all().map { try $0.decode(column: "name", as: String.self) })
        }
        let pending = Migrator.all.map(\.name).filter { !applied.contains($0) }
        return (Migrator.all.count - pending.count, pending)
    }

    public func serverSecret(name: String, now: Millis, create: @Sendable () -> String) async throws -> String {
        try await store.pool.transaction { db in
            try await db.raw(
                "INSERT INTO server_secrets (name, value, created_at) VALUES (\(bind: name), \(bind: create()), \(bind: now)) ON CONFLICT DO NOTHING"
            ).run()
            guard let row = try await db.raw("SELECT value FROM server_secrets WHERE name = \(bind: name)").first() else {
                throw DirectoryError(.unavailable, "The server secret \(name) could not be stored.")
            }
            return try row.decode(column: "value", as: String.self)
        }
    }

    /// Creates a tenant with its seven system roles, its Default group (granting DEFAULT) and its owner,
    /// who is active, in the Default group and holds OWNER directly. Returns the tenant and owner ids.
    public func create(name: String, ownerEmail: String, now: Millis) async throws -> (tenantId: TenantID, ownerUserId: UserID) {
        try await store.pool.transaction { db in try await insert(db, name: name, ownerEmail: ownerEmail, now: now) }
    }

    /// Creates the first tenant, unless one exists: servers starting together on an empty database
    /// create one between them (PostgreSQL: an advisory lock; SQLite: the write lock `BEGIN IMMEDIATE` takes).
    public func createFirst(name: String, ownerEmail: String, now: Millis) async throws -> (tenantId: TenantID, ownerUserId: UserID)? {
        try await store.pool.transaction { db in
            if store.pool.kind == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(7712)").run() }
            let existing = try await db.raw("SELECT COUNT(*) AS n FROM tenants").first()?.decode(column: "n", as: Int.self) ?? 0
            guard existing == 0 else { return nil }
            return try await insert(db, name: name, ownerEmail: ownerEmail, now: now)
        }
    }

    private func insert(_ db: any SQLDatabase, name: String, ownerEmail: String, now: Millis) async throws -> (
        tenantId: TenantID, ownerUserId: UserID
    ) {
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
        let context = OperationContext(tenantId: TenantID(trusted: tenantId), actor: .system, now: now)
        try await store.audit(
            db,
            [
                AuditEntry(
                    .tenantCreate, target: ("tenant", tenantId), related: ("user", ownerId),
                    changes: [
                        "name": AuditChange(.null, .string(name)), "ownerEmail": AuditChange(.null, .string(ownerEmail)),
                    ])
            ], context: context)
        return (TenantID(trusted: tenantId), UserID(trusted: ownerId))
    }

    /// How many tenants exist.
    public func count() async throws -> Int {
        try await store.pool.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM tenants").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }
}
