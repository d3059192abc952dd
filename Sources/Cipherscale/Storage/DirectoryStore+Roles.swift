import SQLKit

extension DirectoryStore {
    /// The tenant's roles, most privileged first.
    public func roles(tenantId: String) async throws -> [Role] {
        try await pool.read { db in
            try await tenantRoles(db, tenantId: tenantId).values.sorted { ($0.type.rank, $0.id) < ($1.type.rank, $1.id) }
        }
    }

    /// One role, or 404.
    public func role(tenantId: String, id: String) async throws -> Role {
        try await pool.read { db in
            guard let role = try await tenantRoles(db, tenantId: tenantId)[id] else { throw DirectoryError.roleNotFound }
            return role
        }
    }

    /// Users holding a role directly (and through a group when `throughGroups`), oldest first, with the total.
    public func roleUsers(tenantId: String, roleId: String, throughGroups: Bool, limit: Int, offset: Int) async throws -> Page<User> {
        try await pool.read { db in
            guard try await tenantRoles(db, tenantId: tenantId)[roleId] != nil else { throw DirectoryError.roleNotFound }
            var holds: SQLQueryString = "EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id AND ur.role_id = \(bind: roleId))"
            if throughGroups {
                holds = "(" + holds
                    + " OR EXISTS (SELECT 1 FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id WHERE gm.user_id = u.id AND gr.role_id = \(bind: roleId)))"
            }
            let scope: SQLQueryString = "FROM users u WHERE u.tenant_id = \(bind: tenantId) AND " + holds
            let total = try await db.raw("SELECT COUNT(*) AS n " + scope).first()?.decode(column: "n", as: Int.self) ?? 0
            let rows = try await db.raw(
                "SELECT \(unsafeRaw: Self.userColumns) " + scope + " ORDER BY u.created_at, u.id LIMIT \(bind: limit) OFFSET \(bind: offset)"
            ).all().map(UserRow.init)
            return Page(items: try await hydrate(db, tenantId: tenantId, rows: rows), total: total, offset: offset, limit: limit)
        }
    }

    /// Takes a directly held role from a user: 404 when not held directly, 403 for OWNER.
    public func removeRole(tenantId: String, roleId: String, userId: String) async throws {
        try await pool.transaction { db in
            guard let role = try await tenantRoles(db, tenantId: tenantId)[roleId] else { throw DirectoryError.roleNotFound }
            _ = try await lockUser(db, tenantId: tenantId, id: userId)
            if role.type == .owner { throw DirectoryError.forbidden("The OWNER role cannot be removed through the API.") }
            try await checkIfMatch(db, tenantId: tenantId, user: userId)
            let before = try await directRoleIds(db, userId: userId)
            let deleted = try await db.raw(
                "DELETE FROM user_roles WHERE user_id = \(bind: userId) AND role_id = \(bind: roleId) RETURNING role_id"
            ).all()
            guard !deleted.isEmpty else { throw DirectoryError.notFound("The user does not hold this role directly.") }
            let now = Timestamps.now()
            try await touchUser(db, id: userId, at: now)
            try await audit(db, tenantId: tenantId, [
                AuditEntry("user.roles.remove", target: ("user", userId), related: ("role", roleId), changes: [
                    "roles": AuditChange(.strings(before), .strings(before.filter { $0 != roleId }))
                ])
            ], at: now)
        }
    }
}
