import SQLKit

/// Roles and their holders in SQL.
public struct SQLRoleRepository: RoleRepository {
    /// The shared store.
    let store: SQLStore

    /// A repository over `store`.
    public init(store: SQLStore) {
        self.store = store
    }

    public func roles(context: OperationContext) async throws -> [Role] {
        try await store.pool.read { db in
            RoleRules.sorted(try await store.tenantRoles(db, tenantId: context.tenantId).values)
        }
    }

    public func role(_ id: RoleID, context: OperationContext) async throws -> Role {
        try await store.pool.read { db in
            guard let role = try await store.tenantRoles(db, tenantId: context.tenantId)[id] else { throw DirectoryError.roleNotFound }
            return role
        }
    }

    public func holders(of id: RoleID, throughGroups: Bool, limit: Int, offset: Int, context: OperationContext) async throws -> Page<User> {
        try await store.pool.read { db in
            guard try await store.tenantRoles(db, tenantId: context.tenantId)[id] != nil else { throw DirectoryError.roleNotFound }
            let roleId = id.rawValue
            var holds: SQLQueryString = "EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id AND ur.role_id = \(bind: roleId))"
            if throughGroups {
                holds =
                    "(" + holds
                    + " OR EXISTS (SELECT 1 FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id WHERE gm.user_id = u.id AND gr.role_id = \(bind: roleId)))"
            }
            let scope: SQLQueryString = "FROM users u WHERE u.tenant_id = \(bind: context.tenantId.rawValue) AND " + holds
            let total = try await db.raw("SELECT COUNT(*) AS n " + scope).first()?.decode(column: "n", as: Int.self) ?? 0
            let rows = try await db.raw(
                "SELECT \(unsafeRaw: SQLStore.userColumns) " + scope + " ORDER BY u.created_at, u.id LIMIT \(bind: limit) OFFSET \(bind: offset)"
            ).all().map(UserRecord.init(row:))
            let users = try await store.hydrate(db, tenantId: context.tenantId, rows: rows, now: context.now)
            return Page(items: users, total: total, offset: offset, limit: limit)
        }
    }

    public func remove(_ id: RoleID, from user: UserID, context: OperationContext) async throws {
        try await store.pool.transaction { db in
            guard let role = try await store.tenantRoles(db, tenantId: context.tenantId)[id] else { throw DirectoryError.roleNotFound }
            _ = try await store.lockUserForChange(db, user, context: context) { _ in try RoleRules.checkRemovable(role) }
            let before = try await store.directRoleIds(db, of: user)
            let deleted = try await db.raw(
                "DELETE FROM user_roles WHERE user_id = \(bind: user.rawValue) AND role_id = \(bind: id.rawValue) RETURNING role_id"
            ).all()
            guard !deleted.isEmpty else { throw DirectoryError.notFound("The user does not hold this role directly.") }
            try await store.recordListChange(
                db, user: user, action: .userRolesRemove, related: ("role", id.rawValue), field: "roles", before: before,
                after: before.filter { $0 != id }, context: context)
        }
    }
}
