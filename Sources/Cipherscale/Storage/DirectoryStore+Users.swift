import Foundation
import SQLKit

/// A validated new user, ready to insert.
public struct NewUser: Sendable {
    public var email: String
    /// Canonical group ids; empty means the Default group.
    public var groupIds: [String]
}

/// A new invitation. Its token is derived from its id with the server's secret (see
/// ``InvitationTokens``), so only the hash is ever stored; the clear token exists only in the link.
public struct NewInvitation: Sendable {
    public var id: String
    public var tokenHash: String
}

/// Changes to a user's editable profile; nil leaves a field unchanged, "" clears it.
public struct UserProfileChange: Sendable {
    public var firstName: String?
    public var lastName: String?
    public var image: String?
    /// nil: unchanged; `.some(nil)`: remove the user's own device limit; `.some(n)`: set it.
    public var maxDevices: Int??

    public init(firstName: String? = nil, lastName: String? = nil, image: String? = nil, maxDevices: Int?? = nil) {
        self.firstName = firstName
        self.lastName = lastName
        self.image = image
        self.maxDevices = maxDevices
    }
}

extension DirectoryStore {
    /// Column mapping of the user list.
    static let userList = ListSQL(
        columns: [
            "id": ListColumn("u.id"),
            "email": ListColumn("u.email_key"),
            "firstName": ListColumn("u.first_name", nullable: true),
            "lastName": ListColumn("u.last_name", nullable: true),
            "status": ListColumn("u.status"),
            "isOwner": ListColumn("u.is_owner"),
            "createdAt": ListColumn("u.created_at"),
            "updatedAt": ListColumn("u.updated_at"),
            "lastConnection": ListColumn("u.last_connection", nullable: true),
            "groups.id": ListColumn(relation: { ids in
                "SELECT 1 FROM group_members gm WHERE gm.user_id = u.id AND gm.group_id IN (" + ids + ")"
            }),
            // Effective roles: held directly or through any of the user's groups.
            "roles.id": ListColumn(relation: { ids in
                "SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id AND ur.role_id IN (" + ids
                    + ") UNION ALL SELECT 1 FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id "
                    + "WHERE gm.user_id = u.id AND gr.role_id IN (" + ids + ")"
            }),
        ],
        searchColumns: ["u.email_key", "u.first_name", "u.last_name"],
        idColumn: "u.id",
        sqliteSearchIndex: { phrase, asFilter in
            // `+` keeps SQLite from using the match list to look rows up by rowid.
            "\(unsafeRaw: asFilter ? "+" : "")u.rowid IN (SELECT rowid FROM users_search WHERE users_search MATCH \(bind: phrase))"
        }
    )

    /// The most index entries a search page may expect to read in order before its plan switches
    /// to looking up and sorting every match (on SQLite).
    static let orderedSearchScanLimit = 20_000

    /// One page of the tenant's users with the exact number of matches.
    public func listUsers(tenantId: String, query: ListQuery) async throws -> Page<User> {
        try await pool.read { db in
            let conditions = Self.userList.conditions(for: query, kind: pool.kind)
            let total: Int
            if query.filters.isEmpty && query.search == nil {
                // The unfiltered total is a counter kept in step with every insert and delete.
                total = try await db.raw("SELECT user_count FROM tenants WHERE id = \(bind: tenantId)")
                    .first()?.decode(column: "user_count", as: Int.self) ?? 0
            } else if query.search == nil, query.filters.count == 1, let filter = query.filters.first, filter.field == "groups.id",
                filter.op == .eq || (filter.op == .in && filter.values.count == 1), case .text(let groupId) = filter.values[0]
            {
                // The members of one group: the group's member counter, kept like the tenant's.
                total = try await db.raw(
                    "SELECT member_count FROM directory_groups WHERE tenant_id = \(bind: tenantId) AND id = \(bind: groupId)"
                ).first()?.decode(column: "member_count", as: Int.self) ?? 0
            } else {
                total = try await db.raw("SELECT COUNT(*) AS n FROM users u WHERE u.tenant_id = \(bind: tenantId)" + conditions)
                    .first()?.decode(column: "n", as: Int.self) ?? 0
            }
            var rows: [UserRow] = []
            var nextCursor: String?
            var pageConditions = conditions
            if pool.kind == .sqlite, let search = query.search, search.count >= 3, total > 0, query.limit > 0 {
                // Common matches: walking the sort index and keeping matching rows finds a page after
                // about (offset + limit) × users / matches rows, far fewer than looking up and
                // sorting every match. Rare matches: the lookup and sort are the cheap plan.
                let users = try await db.raw("SELECT user_count FROM tenants WHERE id = \(bind: tenantId)")
                    .first()?.decode(column: "user_count", as: Int.self) ?? 0
                if (query.offset + query.limit + 1) * users / total <= Self.orderedSearchScanLimit {
                    pageConditions = Self.userList.conditions(for: query, kind: pool.kind, searchAsFilter: true)
                }
            }
            if query.limit > 0 {
                // The page's ids come from the sort index alone (no table rows are read for the rows an
                // offset skips); then only those rows are read. One more row than the page tells
                // whether a next page exists, and the last row's sort values make its cursor.
                let order = Self.userList.orderBy(for: query, kind: pool.kind)
                let read = try await db.raw(
                    "SELECT \(unsafeRaw: Self.userColumns)\(unsafeRaw: Self.userList.sortValueColumns(for: query)) FROM users u WHERE u.id IN ("
                        + "SELECT u.id FROM users u WHERE u.tenant_id = \(bind: tenantId)" + pageConditions
                        + Self.userList.keyset(for: query, kind: pool.kind) + order
                        + " LIMIT \(bind: query.limit + 1) OFFSET \(bind: query.offset))" + order
                ).all()
                rows = try read.prefix(query.limit).map(UserRow.init)
                if read.count > query.limit, let last = rows.last {
                    nextCursor = try Self.userList.cursor(read[query.limit - 1], id: last.id, query: query, schema: .users)
                }
            }
            return Page(items: try await hydrate(db, tenantId: tenantId, rows: rows), total: total, query: query, nextCursor: nextCursor)
        }
    }

    /// One user with roles, groups and devices.
    public func user(tenantId: String, id: String) async throws -> User {
        try await pool.read { db in try await loadUser(db, tenantId: tenantId, id: id) }
    }

    /// Creates users all-or-nothing, each in its groups (or the Default group), each with an invitation
    /// and its outgoing message. Unknown groups are 422 and existing emails 409, naming each item.
    public func createUsers(
        tenantId: String, users: [NewUser], invitations: [NewInvitation], pointerPrefix: (Int) -> String,
        invitationTTL: Millis
    ) async throws -> [User] {
        precondition(users.count == invitations.count)
        return try await pool.transaction { db in
            let now = Timestamps.now()
            let defaultGroup = try await defaultGroupId(db, tenantId: tenantId)

            // Rules that depend on stored state, reported for every item at once.
            var errors: [FieldError] = []
            let wanted = Set(users.flatMap(\.groupIds))
            var known = Set<String>()
            if !wanted.isEmpty {
                let binds: [any Encodable & Sendable] = Array(wanted)
                for row in try await db.raw(
                    "SELECT id FROM directory_groups WHERE tenant_id = \(bind: tenantId) AND id IN (\(binds: binds))"
                ).all() { known.insert(try row.decode(column: "id", as: String.self)) }
            }
            for (index, user) in users.enumerated() {
                for (position, group) in user.groupIds.enumerated() where !known.contains(group) {
                    errors.append(FieldError("\(pointerPrefix(index))/groups/\(position)", "no group with id \(group) exists in the tenant"))
                }
            }
            if !errors.isEmpty { throw DirectoryError.unknownReference("Some groups do not exist.", errors) }

            let keys: [any Encodable & Sendable] = users.map { $0.email.lowercased() }
            var existing = Set<String>()
            for row in try await db.raw(
                "SELECT email_key FROM users WHERE tenant_id = \(bind: tenantId) AND email_key IN (\(binds: keys))"
            ).all() { existing.insert(try row.decode(column: "email_key", as: String.self)) }
            for (index, user) in users.enumerated() where existing.contains(user.email.lowercased()) {
                errors.append(FieldError("\(pointerPrefix(index))/email", "a user with this email already exists"))
            }
            if !errors.isEmpty { throw DirectoryError.conflict("Some emails are already in use.", errors) }

            let ids = users.map { _ in Identifiers.make() }
            var userValues: [SQLQueryString] = []
            var memberValues: [SQLQueryString] = []
            var invitationValues: [SQLQueryString] = []
            var outboxValues: [SQLQueryString] = []
            var joined: [String: Int] = [:]
            for (index, user) in users.enumerated() {
                let id = ids[index]
                userValues.append(
                    "(\(bind: tenantId), \(bind: id), \(bind: user.email), \(bind: user.email.lowercased()), 'pending', \(bind: false), \(bind: false), \(bind: now), \(bind: now))"
                )
                let groups = user.groupIds.isEmpty ? [defaultGroup] : Array(NSOrderedSet(array: user.groupIds)) as! [String]
                for group in groups {
                    memberValues.append("(\(bind: tenantId), \(bind: group), \(bind: id), \(bind: now))")
                    joined[group, default: 0] += 1
                }
                let invitationId = invitations[index].id
                invitationValues.append(
                    "(\(bind: tenantId), \(bind: invitationId), \(bind: id), \(bind: invitations[index].tokenHash), 'pending', \(bind: now), \(bind: now + invitationTTL))"
                )
                outboxValues.append(
                    "(\(bind: tenantId), \(bind: Identifiers.make()), \(bind: invitationId), 'invitation', \(bind: user.email), 'queued', \(bind: now), \(bind: now))"
                )
            }
            do {
                try await db.raw(
                    "INSERT INTO users (tenant_id, id, email, email_key, status, is_owner, invitation_accepted, created_at, updated_at) VALUES "
                        + userValues.joined(separator: ", ")
                ).run()
            } catch where SQLErrors.isUniqueViolation(error) {
                throw DirectoryError.conflict("A user with one of these emails was created at the same time.")
            }
            try await db.raw("INSERT INTO group_members (tenant_id, group_id, user_id, created_at) VALUES " + memberValues.joined(separator: ", ")).run()
            for (group, count) in joined.sorted(by: { $0.key < $1.key }) {
                try await db.raw("UPDATE directory_groups SET member_count = member_count + \(bind: count) WHERE id = \(bind: group)").run()
            }
            try await db.raw(
                "INSERT INTO invitations (tenant_id, id, user_id, token_hash, status, created_at, expires_at) VALUES "
                    + invitationValues.joined(separator: ", ")
            ).run()
            try await db.raw(
                "INSERT INTO outbox_messages (tenant_id, id, invitation_id, kind, recipient, status, next_attempt_at, created_at) VALUES "
                    + outboxValues.joined(separator: ", ")
            ).run()
            try await db.raw("UPDATE tenants SET user_count = user_count + \(bind: users.count) WHERE id = \(bind: tenantId)").run()
            try await audit(db, tenantId: tenantId, users.enumerated().map { index, user in
                AuditEntry("user.create", target: ("user", ids[index]), changes: [
                    "email": AuditChange(.null, .string(user.email)), "status": AuditChange(.null, .string("pending")),
                    "groups": AuditChange(.null, .strings(user.groupIds.isEmpty ? [defaultGroup] : user.groupIds)),
                ])
            }, at: now)
            return try await loadUsers(db, tenantId: tenantId, ids: ids)
        }
    }

    func defaultGroupId(_ db: any SQLDatabase, tenantId: String) async throws -> String {
        guard let row = try await db.raw(
            "SELECT id FROM directory_groups WHERE tenant_id = \(bind: tenantId) AND is_default = \(bind: true)"
        ).first() else { throw DirectoryError.notFound("The tenant has no Default group.") }
        return try row.decode(column: "id", as: String.self)
    }

    /// Edits a user's profile fields.
    public func updateUser(tenantId: String, id: String, change: UserProfileChange) async throws -> User {
        try await pool.transaction { db in
            let before = try await lockUser(db, tenantId: tenantId, id: id)
            try await checkIfMatch(db, tenantId: tenantId, user: id)
            var sets: [SQLQueryString] = ["updated_at = \(bind: Timestamps.now())"]
            var entry = AuditEntry("user.update", target: ("user", id))
            func value(_ text: String) -> String? { text.isEmpty ? nil : text }
            if let first = change.firstName {
                sets.append("first_name = \(bind: value(first))")
                entry.record("firstName", AuditValue(before.firstName), AuditValue(value(first)))
            }
            if let last = change.lastName {
                sets.append("last_name = \(bind: value(last))")
                entry.record("lastName", AuditValue(before.lastName), AuditValue(value(last)))
            }
            if let image = change.image {
                sets.append("image = \(bind: value(image))")
                entry.record("image", AuditValue(before.image), AuditValue(value(image)))
            }
            if let maxDevices = change.maxDevices {
                sets.append("max_devices = \(bind: maxDevices)")
                entry.record("maxDevices", AuditValue(before.maxDevices), AuditValue(maxDevices))
            }
            try await db.raw("UPDATE users SET " + sets.joined(separator: ", ") + " WHERE id = \(bind: id)").run()
            if !entry.changes.isEmpty { try await audit(db, tenantId: tenantId, [entry]) }
            return try await loadUser(db, tenantId: tenantId, id: id)
        }
    }

    /// Deletes a user permanently; their devices are deactivated and kept without an owner.
    public func deleteUser(tenantId: String, id: String) async throws {
        try await pool.transaction { db in
            let user = try await lockUser(db, tenantId: tenantId, id: id)
            if user.isOwner { throw DirectoryError.forbidden("The tenant owner cannot be deleted.") }
            try await checkIfMatch(db, tenantId: tenantId, user: id)
            let now = Timestamps.now()
            try await audit(db, tenantId: tenantId, [
                AuditEntry("user.delete", target: ("user", id), changes: [
                    "email": AuditChange(.string(user.email), .null), "status": AuditChange(.string(user.status.rawValue), .null),
                ])
            ], at: now)
            try await db.raw(
                "UPDATE devices SET active = \(bind: false), updated_at = \(bind: now) WHERE tenant_id = \(bind: tenantId) AND user_id = \(bind: id)"
            ).run()
            try await db.raw(
                "UPDATE directory_groups SET member_count = member_count - 1 WHERE id IN (SELECT group_id FROM group_members WHERE user_id = \(bind: id))"
            ).run()
            try await db.raw("DELETE FROM users WHERE id = \(bind: id)").run()
            try await db.raw("UPDATE tenants SET user_count = user_count - 1 WHERE id = \(bind: tenantId)").run()
        }
    }

    /// Suspends a user (idempotent); their devices are deactivated.
    public func deactivateUser(tenantId: String, id: String) async throws -> User {
        try await pool.transaction { db in
            let user = try await lockUser(db, tenantId: tenantId, id: id)
            if user.isOwner { throw DirectoryError.forbidden("The tenant owner cannot be deactivated.") }
            try await checkIfMatch(db, tenantId: tenantId, user: id)
            if user.status != .inactive {
                let now = Timestamps.now()
                try await audit(db, tenantId: tenantId, [
                    AuditEntry("user.deactivate", target: ("user", id), changes: ["status": AuditChange(.string(user.status.rawValue), .string("inactive"))])
                ], at: now)
                try await db.raw("UPDATE users SET status = 'inactive', updated_at = \(bind: now) WHERE id = \(bind: id)").run()
                try await db.raw(
                    "UPDATE devices SET active = \(bind: false), updated_at = \(bind: now) WHERE tenant_id = \(bind: tenantId) AND user_id = \(bind: id) AND active = \(bind: true)"
                ).run()
            }
            return try await loadUser(db, tenantId: tenantId, id: id)
        }
    }

    /// Restores a deactivated user to `active`, or to `pending` if they never accepted their invitation.
    public func reactivateUser(tenantId: String, id: String) async throws -> User {
        try await pool.transaction { db in
            let user = try await lockUser(db, tenantId: tenantId, id: id)
            guard user.status == .inactive else { throw DirectoryError.conflict("The user is not deactivated (status is \(user.status.rawValue)).") }
            try await checkIfMatch(db, tenantId: tenantId, user: id)
            try await db.raw(
                """
                UPDATE users SET status = CASE WHEN invitation_accepted THEN 'active' ELSE 'pending' END,
                updated_at = \(bind: Timestamps.now()) WHERE id = \(bind: id)
                """
            ).run()
            let after = try await loadUser(db, tenantId: tenantId, id: id)
            try await audit(db, tenantId: tenantId, [
                AuditEntry("user.reactivate", target: ("user", id), changes: ["status": AuditChange(.string("inactive"), .string(after.status.rawValue))])
            ])
            return after
        }
    }

    /// Issues a new invitation to a pending user, superseding earlier ones.
    public func reinviteUser(tenantId: String, id: String, invitation: NewInvitation, invitationTTL: Millis) async throws {
        try await pool.transaction { db in
            let user = try await lockUser(db, tenantId: tenantId, id: id)
            guard user.status == .pending else {
                throw DirectoryError.conflict("Only pending users can be invited again (status is \(user.status.rawValue)).")
            }
            try await checkIfMatch(db, tenantId: tenantId, user: id)
            let now = Timestamps.now()
            try await audit(db, tenantId: tenantId, [
                AuditEntry("user.invite", target: ("user", id), related: ("invitation", invitation.id), changes: ["invitation": AuditChange(.null, .string(invitation.id))])
            ], at: now)
            try await db.raw(
                "UPDATE invitations SET status = 'superseded', consumed_at = \(bind: now) WHERE user_id = \(bind: id) AND status = 'pending'"
            ).run()
            // Messages of superseded invitations that have not gone out yet are not sent at all.
            try await db.raw(
                """
                UPDATE outbox_messages SET status = 'cancelled', lease_until = NULL
                WHERE status = 'queued' AND invitation_id IN (SELECT id FROM invitations WHERE user_id = \(bind: id) AND status = 'superseded')
                """
            ).run()
            let invitationId = invitation.id
            try await db.raw(
                """
                INSERT INTO invitations (tenant_id, id, user_id, token_hash, status, created_at, expires_at)
                VALUES (\(bind: tenantId), \(bind: invitationId), \(bind: id), \(bind: invitation.tokenHash), 'pending', \(bind: now), \(bind: now + invitationTTL))
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO outbox_messages (tenant_id, id, invitation_id, kind, recipient, status, next_attempt_at, created_at)
                VALUES (\(bind: tenantId), \(bind: Identifiers.make()), \(bind: invitationId), 'invitation', \(bind: user.email),
                'queued', \(bind: now), \(bind: now))
                """
            ).run()
        }
    }

    /// Which roles of a user to list.
    public enum RoleSource: Sendable {
        case effective, direct, groups
    }

    /// A user's roles: effective, direct only, or group-granted only; most privileged first.
    public func userRoles(tenantId: String, id: String, source: RoleSource) async throws -> [Role] {
        try await pool.read { db in
            let user = try await loadUser(db, tenantId: tenantId, id: id)
            switch source {
            case .effective:
                return user.roles
            case .direct, .groups:
                let roles = try await tenantRoles(db, tenantId: tenantId)
                let rows: [any SQLRow]
                if source == .direct {
                    rows = try await db.raw("SELECT role_id FROM user_roles WHERE tenant_id = \(bind: tenantId) AND user_id = \(bind: id)").all()
                } else {
                    rows = try await db.raw(
                        """
                        SELECT DISTINCT gr.role_id FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id
                        WHERE gm.tenant_id = \(bind: tenantId) AND gm.user_id = \(bind: id)
                        """
                    ).all()
                }
                return try rows.compactMap { roles[try $0.decode(column: "role_id", as: String.self)] }
                    .sorted { ($0.type.rank, $0.id) < ($1.type.rank, $1.id) }
            }
        }
    }

    /// Adds and removes direct roles. Adding a held role or removing an unheld one changes nothing.
    public func updateUserRoles(tenantId: String, id: String, added: [String], removed: [String]) async throws -> User {
        try await pool.transaction { db in
            _ = try await lockUser(db, tenantId: tenantId, id: id)
            try await checkIfMatch(db, tenantId: tenantId, user: id)
            let roles = try await tenantRoles(db, tenantId: tenantId)
            var errors: [FieldError] = []
            for (name, list) in [("addedRoles", added), ("removedRoles", removed)] {
                for (index, roleId) in list.enumerated() where roles[roleId] == nil {
                    errors.append(FieldError("/\(name)/\(index)", "no role with id \(roleId) exists in the tenant"))
                }
            }
            if !errors.isEmpty { throw DirectoryError.unknownReference("Some roles do not exist.", errors) }
            if (added + removed).contains(where: { roles[$0]?.type == .owner }) {
                throw DirectoryError.forbidden("The OWNER role cannot be assigned or removed through the API.")
            }
            let now = Timestamps.now()
            let before = try await directRoleIds(db, userId: id)
            var changed = false
            for roleId in Set(added) {
                let inserted = try await db.raw(
                    """
                    INSERT INTO user_roles (tenant_id, user_id, role_id, created_at) VALUES (\(bind: tenantId), \(bind: id), \(bind: roleId), \(bind: now))
                    ON CONFLICT DO NOTHING RETURNING role_id
                    """
                ).all()
                changed = changed || !inserted.isEmpty
            }
            if !removed.isEmpty {
                let binds: [any Encodable & Sendable] = removed
                let deleted = try await db.raw(
                    "DELETE FROM user_roles WHERE user_id = \(bind: id) AND role_id IN (\(binds: binds)) RETURNING role_id"
                ).all()
                changed = changed || !deleted.isEmpty
            }
            if changed {
                try await touchUser(db, id: id, at: now)
                try await audit(db, tenantId: tenantId, [
                    AuditEntry("user.roles.update", target: ("user", id), changes: [
                        "roles": AuditChange(.strings(before), .strings(try await directRoleIds(db, userId: id)))
                    ])
                ], at: now)
            }
            return try await loadUser(db, tenantId: tenantId, id: id)
        }
    }

    /// Adds a user to a group: 409 when already a member, 422 when the group does not exist.
    public func addUserToGroup(tenantId: String, id: String, groupId: String) async throws -> User {
        try await pool.transaction { db in
            _ = try await lockUser(db, tenantId: tenantId, id: id)
            try await checkIfMatch(db, tenantId: tenantId, user: id)
            // The group row is locked as its member counter will be (a share lock here would let two
            // joins deadlock upgrading it), so a concurrent delete of the group waits or is waited for.
            let share = pool.kind == .postgres ? " FOR NO KEY UPDATE" : ""
            guard try await db.raw(
                "SELECT id FROM directory_groups WHERE tenant_id = \(bind: tenantId) AND id = \(bind: groupId)\(unsafeRaw: share)"
            ).first() != nil else {
                throw DirectoryError.unknownReference("No group with this id exists in the tenant.", [FieldError("/groupId", "unknown group")])
            }
            let now = Timestamps.now()
            let before = try await memberships(db, userId: id)
            let inserted = try await db.raw(
                """
                INSERT INTO group_members (tenant_id, group_id, user_id, created_at) VALUES (\(bind: tenantId), \(bind: groupId), \(bind: id), \(bind: now))
                ON CONFLICT DO NOTHING RETURNING user_id
                """
            ).all()
            guard !inserted.isEmpty else { throw DirectoryError.conflict("The user is already a member of this group.") }
            try await db.raw("UPDATE directory_groups SET member_count = member_count + 1 WHERE id = \(bind: groupId)").run()
            try await touchUser(db, id: id, at: now)
            try await audit(db, tenantId: tenantId, [
                AuditEntry("user.groups.add", target: ("user", id), related: ("group", groupId), changes: [
                    "groups": AuditChange(.strings(before), .strings((before + [groupId]).sorted()))
                ])
            ], at: now)
            return try await loadUser(db, tenantId: tenantId, id: id)
        }
    }

    /// Removes a user from a group: 404 when not a member, 409 when it is their last group.
    public func removeUserFromGroup(tenantId: String, id: String, groupId: String) async throws {
        try await pool.transaction { db in
            _ = try await lockUser(db, tenantId: tenantId, id: id)
            try await checkIfMatch(db, tenantId: tenantId, user: id)
            let current = try await memberships(db, userId: id)
            guard current.contains(groupId) else { throw DirectoryError.notFound("The user is not a member of this group.") }
            guard current.count > 1 else {
                throw DirectoryError.conflict("A user must belong to at least one group; this is the user's last group.")
            }
            try await db.raw("DELETE FROM group_members WHERE user_id = \(bind: id) AND group_id = \(bind: groupId)").run()
            try await db.raw("UPDATE directory_groups SET member_count = member_count - 1 WHERE id = \(bind: groupId)").run()
            let now = Timestamps.now()
            try await touchUser(db, id: id, at: now)
            try await audit(db, tenantId: tenantId, [
                AuditEntry("user.groups.remove", target: ("user", id), related: ("group", groupId), changes: [
                    "groups": AuditChange(.strings(current), .strings(current.filter { $0 != groupId }))
                ])
            ], at: now)
        }
    }

    /// The ids of the groups a user is in, sorted.
    func memberships(_ db: any SQLDatabase, userId: String) async throws -> [String] {
        try await db.raw("SELECT group_id FROM group_members WHERE user_id = \(bind: userId) ORDER BY group_id").all()
            .map { try $0.decode(column: "group_id", as: String.self) }
    }

    /// The ids of the roles a user holds directly, sorted.
    func directRoleIds(_ db: any SQLDatabase, userId: String) async throws -> [String] {
        try await db.raw("SELECT role_id FROM user_roles WHERE user_id = \(bind: userId) ORDER BY role_id").all()
            .map { try $0.decode(column: "role_id", as: String.self) }
    }
}
