import SQLKit

extension SQLUserRepository {
    /// A user's roles: effective, direct only, or group-granted only; most privileged first.
    public func roles(of id: UserID, source: RoleSource, context: OperationContext) async throws -> [Role] {
        let tenantId = context.tenantId.rawValue
        return try await store.pool.read { db in
            let user = try await store.loadUser(db, id, context: context)
            switch source {
            case .effective:
                return user.roles
            case .direct, .groups:
                let roles = try await store.tenantRoles(db, tenantId: context.tenantId)
                let rows: [any SQLRow]
                if source == .direct {
                    rows = try await db.raw(
                        "SELECT role_id FROM user_roles WHERE tenant_id = \(bind: tenantId) AND user_id = \(bind: id.rawValue)"
                    ).all()
                } else {
                    rows = try await db.raw(
                        """
                        SELECT DISTINCT gr.role_id FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id
                        WHERE gm.tenant_id = \(bind: tenantId) AND gm.user_id = \(bind: id.rawValue)
                        """
                    ).all()
                }
                return RoleRules.sorted(try rows.compactMap { roles[RoleID(trusted: try $0.decode(column: "role_id", as: String.self))] })
            }
        }
    }

    /// Adds and removes direct roles. Adding a held role or removing an unheld one changes nothing.
    public func updateRoles(_ id: UserID, added: [RoleID], removed: [RoleID], context: OperationContext) async throws -> User {
        let now = context.now
        return try await store.pool.transaction { db in
            var record = try await store.lockUserForChange(db, id, context: context)
            let roles = try await store.tenantRoles(db, tenantId: context.tenantId)
            try RoleRules.checkAssignable(added: added, removed: removed, roles: roles)
            let before = try await store.directRoleIds(db, of: id)
            var held = Set(before)
            for roleId in Set(added) {
                let inserted = try await db.raw(
                    """
                    INSERT INTO user_roles (tenant_id, user_id, role_id, created_at)
                    VALUES (\(bind: context.tenantId.rawValue), \(bind: id.rawValue), \(bind: roleId.rawValue), \(bind: now))
                    ON CONFLICT DO NOTHING RETURNING role_id
                    """
                ).all()
                if !inserted.isEmpty { held.insert(roleId) }
            }
            if !removed.isEmpty {
                let binds: [any Encodable & Sendable] = removed.map(\.rawValue)
                for row in try await db.raw(
                    "DELETE FROM user_roles WHERE user_id = \(bind: id.rawValue) AND role_id IN (\(binds: binds)) RETURNING role_id"
                ).all() { held.remove(RoleID(trusted: try row.decode(column: "role_id", as: String.self))) }
            }
            if held != Set(before) {
                record = try await store.recordListChange(
                    db, user: id, action: .userRolesUpdate, field: "roles", before: before, after: held.sorted(), context: context)
            }
            return try await store.hydrate(db, record, context: context)
        }
    }

    /// Adds a user to a group: 409 when already a member, 422 when the group does not exist.
    public func addToGroup(_ id: UserID, group: GroupID, context: OperationContext) async throws -> User {
        try await store.pool.transaction { db in
            _ = try await store.lockUserForChange(db, id, context: context)
            // The member counter is raised first, which locks the group row (a share lock here would
            // let two joins deadlock upgrading it), so a concurrent delete of the group waits or is
            // waited for; if the join is then refused, the transaction undoes the count.
            guard
                try await db.raw(
                    """
                    UPDATE directory_groups SET member_count = member_count + 1 WHERE tenant_id = \(bind: context.tenantId.rawValue) AND id = \(bind: group.rawValue) RETURNING id
                    """
                ).first() != nil
            else {
                throw DirectoryError.unknownReference(
                    "No group with this id exists in the tenant.", [FieldError(.body(field: "groupId"), "unknown group")]
                )
            }
            let before = try await store.memberships(db, of: id)
            try UserRules.checkCanJoin(group, memberships: before)
            let inserted = try await db.raw(
                """
                INSERT INTO group_members (tenant_id, group_id, user_id, created_at)
                VALUES (\(bind: context.tenantId.rawValue), \(bind: group.rawValue), \(bind: id.rawValue), \(bind: context.now))
                ON CONFLICT DO NOTHING RETURNING user_id
                """
            ).all()
            guard !inserted.isEmpty else { throw DirectoryError.conflict("The user is already a member of this group.") }
            let record = try await store.recordListChange(
                db, user: id, action: .userGroupsAdd, related: ("group", group.rawValue), field: "groups", before: before,
                after: (before + [group]).sorted(), context: context)
            return try await store.hydrate(db, record, context: context)
        }
    }

    /// Removes a user from a group: 404 when not a member, 409 when it is their last group.
    public func removeFromGroup(_ id: UserID, group: GroupID, context: OperationContext) async throws {
        try await store.pool.transaction { db in
            _ = try await store.lockUserForChange(db, id, context: context)
            let current = try await store.memberships(db, of: id)
            try UserRules.checkCanLeave(group, memberships: current)
            try await db.raw("DELETE FROM group_members WHERE user_id = \(bind: id.rawValue) AND group_id = \(bind: group.rawValue)").run()
            try await db.raw("UPDATE directory_groups SET member_count = member_count - 1 WHERE id = \(bind: group.rawValue)").run()
            try await store.recordListChange(
                db, user: id, action: .userGroupsRemove, related: ("group", group.rawValue), field: "groups", before: current,
                after: current.filter { $0 != group }, context: context)
        }
    }
}
