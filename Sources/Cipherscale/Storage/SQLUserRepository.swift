import Foundation
import SQLKit

/// Users in SQL. Changes lock the user's row first, then check ``UserRules`` and `If-Match` on it.
public struct SQLUserRepository: UserRepository {
    /// The shared store.
    let store: SQLStore

    /// A repository over `store`.
    public init(store: SQLStore) {
        self.store = store
    }

    private var pool: DatabasePool { store.pool }
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
            "groups.id": ListColumn(
                relation: { ids in "SELECT 1 FROM group_members gm WHERE gm.user_id = u.id AND gm.group_id IN (" + ids + ")" },
                members: { ids in "SELECT gm.user_id FROM group_members gm WHERE gm.group_id IN (" + ids + ")" }
            ),
            // Effective roles, held directly or through any of the user's groups: one bit each in
            // the user's role mask (008_role_masks keeps it).
            "roles.id": ListColumn(
                relation: { ids in "SELECT 1 WHERE (u.role_mask & " + roleBits(ids) + ") <> 0" },
                members: { ids in
                    "SELECT ur.user_id FROM user_roles ur WHERE ur.role_id IN (" + ids
                        + ") UNION ALL SELECT gm.user_id FROM group_roles gr JOIN group_members gm ON gm.group_id = gr.group_id "
                        + "WHERE gr.role_id IN (" + ids + ")"
                }
            ),
        ],
        searchColumns: ["u.email_key", "u.first_name", "u.last_name"],
        idColumn: "u.id"
    )

    /// The bits of the roles `ids` in role masks (a constant subquery).
    static func roleBits(_ ids: SQLQueryString) -> SQLQueryString {
        "(SELECT CAST(COALESCE(SUM(\(unsafeRaw: AddRoleMasks.bit(of: "r.type"))), 0) AS BIGINT) FROM roles r WHERE r.id IN (" + ids + "))"
    }

    /// The user list of one tenant: on SQLite, search reads only that tenant's range of the index.
    static func userList(of tenantId: String) -> ListSQL {
        var list = userList
        list.sqliteSearchIndex = { phrase, asFilter in
            // `+` keeps SQLite from using the match list to look rows up by rowid.
            "\(unsafeRaw: asFilter ? "+" : "")u.rowid IN (SELECT users_search.rowid % \(unsafeRaw: String(SearchIndex.tenantStride)) FROM users_search WHERE users_search MATCH \(bind: phrase)"
                + SearchIndex.tenantRange(tenantId) + ")"
        }
        return list
    }

    /// The most index entries a search page may expect to read in order before its plan switches
    /// to looking up and sorting every match (on SQLite).
    static let orderedSearchScanLimit = 20_000

    /// The statuses whose counters give the total of `query`: its one filter is on `status` (`eq`,
    /// `in`, or their negations `ne`, `nin`) and there is no search. Nil when the total must be counted.
    static func statusesCounted(_ query: ListQuery) -> (values: [String], negated: Bool)? {
        guard query.search == nil, query.filters.count == 1, let filter = query.filters.first, filter.field == "status" else { return nil }
        let values = filter.values.compactMap { value -> String? in
            if case .text(let text) = value { return text }
            return nil
        }
        guard values.count == filter.values.count, !values.isEmpty else { return nil }
        switch filter.op {
        case .eq, .in: return (values, false)
        case .ne, .nin: return (values, true)
        default: return nil
        }
    }

    /// One page of the tenant's users with the exact number of matches.
    public func list(_ query: ListQuery, context: OperationContext) async throws -> Page<User> {
        let tenantId = context.tenantId.rawValue
        return try await pool.read { db in
            let list = Self.userList(of: tenantId)
            // Few members of the filtered groups or roles: read them and sort, rather than walk the
            // sort index past everyone else (a group of 64 among a million users took 3.7 s).
            let relationsAsSets = try await relationsFewEnough(db, query: query, tenantId: tenantId)
            let conditions = list.conditions(for: query, kind: pool.kind, relationsAsSets: relationsAsSets)
            /// The tenant's user counter, kept in step with every insert and delete.
            func tenantUserCount() async throws -> Int {
                try await db.raw("SELECT user_count FROM tenants WHERE id = \(bind: tenantId)")
                    .first()?.decode(column: "user_count", as: Int.self) ?? 0
            }
            let total: Int
            if query.filters.isEmpty && query.search == nil {
                // The unfiltered total is a counter kept in step with every insert and delete.
                total = try await tenantUserCount()
            } else if query.search == nil, query.filters.count == 1, let filter = query.filters.first, filter.field == "groups.id",
                filter.op == .eq || (filter.op == .in && filter.values.count == 1), case .text(let groupId) = filter.values[0]
            {
                // The members of one group: the group's member counter, kept like the tenant's.
                total =
                    try await db.raw(
                        "SELECT member_count FROM directory_groups WHERE tenant_id = \(bind: tenantId) AND id = \(bind: groupId)"
                    ).first()?.decode(column: "member_count", as: Int.self) ?? 0
            } else if query.search == nil, query.filters.count == 1, let filter = query.filters.first, filter.field == "roles.id",
                filter.op == .eq || (filter.op == .in && filter.values.count == 1)
            {
                // The holders of one role: a counter kept by triggers (008_role_masks).
                total = try await roleHolders(db, roleIds: filter.values.map(\.bindable), tenantId: tenantId)
            } else if let statuses = Self.statusesCounted(query) {
                // Users of some statuses: per-status counters kept by triggers (005_user_status_counts).
                let matching =
                    try await db.raw(
                        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM user_status_counts WHERE tenant_id = \(bind: tenantId) AND status IN (\(binds: statuses.values))"
                    ).first()?.decode(column: "n", as: Int.self) ?? 0
                total = statuses.negated ? try await tenantUserCount() - matching : matching
            } else if pool.kind == .sqlite, query.filters.isEmpty, let search = query.search, search.count >= 3 {
                // A search alone: the tenant's range of the trigram index holds exactly its matches.
                total =
                    try await db.raw(
                        "SELECT COUNT(*) AS n FROM users_search WHERE users_search MATCH \(bind: ListSQL.ftsPhrase(search))"
                            + SearchIndex.tenantRange(tenantId)
                    ).first()?.decode(column: "n", as: Int.self) ?? 0
            } else {
                total =
                    try await db.raw("SELECT COUNT(*) AS n FROM users u WHERE u.tenant_id = \(bind: tenantId)" + conditions)
                    .first()?.decode(column: "n", as: Int.self) ?? 0
            }
            var searchAsFilter = false
            if pool.kind == .sqlite, let search = query.search, search.count >= 3, total > 0, query.limit > 0 {
                // Common matches: walking the sort index and keeping matching rows finds a page after
                // about (offset + limit) × users / matches rows, far fewer than looking up and
                // sorting every match. Rare matches: the lookup and sort are the cheap plan.
                let users = try await tenantUserCount()
                searchAsFilter = (query.offset + query.limit + 1) * users / total <= Self.orderedSearchScanLimit
            }
            let page = try await ListPager(list: list, schema: .users, kind: pool.kind).page(
                db, query: query, columns: SQLStore.userColumns, from: "users u", scope: "u.tenant_id = \(bind: tenantId)", total: total,
                searchAsFilter: searchAsFilter, relationsAsSets: relationsAsSets, idsFirst: true, decode: UserRecord.init(row:),
                id: \.id.rawValue
            )
            return try await page.map { try await store.hydrate(db, tenantId: context.tenantId, rows: $0, now: context.now) }
        }
    }

    /// One user with roles, groups and devices.
    public func user(_ id: UserID, context: OperationContext) async throws -> User {
        try await pool.read { db in try await store.loadUser(db, id, context: context) }
    }

    /// Creates users all-or-nothing, each in its groups (or the Default group), each with an invitation
    /// and its outgoing message. Unknown groups are 422 and existing emails 409, naming each item.
    public func create(
        _ users: [NewUser], invitations: [NewInvitation], invitationTTL: Millis, context: OperationContext
    ) async throws -> [User] {
        precondition(users.count == invitations.count)
        let tenantId = context.tenantId.rawValue
        let now = context.now
        return try await pool.transaction { db in
            let defaultGroup = try await store.defaultGroupId(db, tenantId: context.tenantId)

            // Rules that depend on stored state, reported for every item at once.
            let wanted = Set(users.flatMap(\.groupIds))
            var known = Set<GroupID>()
            if !wanted.isEmpty {
                let binds: [any Encodable & Sendable] = wanted.map(\.rawValue)
                for row in try await db.raw(
                    "SELECT id FROM directory_groups WHERE tenant_id = \(bind: tenantId) AND id IN (\(binds: binds))"
                ).all() { known.insert(GroupID(trusted: try row.decode(column: "id", as: String.self))) }
            }
            let unknown = UserRules.unknownGroups(users, known: known)
            if !unknown.isEmpty { throw DirectoryError.unknownReference("Some groups do not exist.", unknown) }

            let keys: [any Encodable & Sendable] = users.map { $0.email.lowercased() }
            var existing = Set<String>()
            for row in try await db.raw(
                "SELECT email_key FROM users WHERE tenant_id = \(bind: tenantId) AND email_key IN (\(binds: keys))"
            ).all() { existing.insert(try row.decode(column: "email_key", as: String.self)) }
            let taken = UserRules.takenEmails(users, existingKeys: existing)
            if !taken.isEmpty { throw DirectoryError.conflict("Some emails are already in use.", taken) }

            let ids = users.map { _ in UserID.make() }
            var userValues: [SQLQueryString] = []
            var memberValues: [SQLQueryString] = []
            var invitationValues: [SQLQueryString] = []
            var outboxValues: [SQLQueryString] = []
            let traceParent = context.traceParent
            var joined: [GroupID: Int] = [:]
            for (index, user) in users.enumerated() {
                let id = ids[index].rawValue
                userValues.append(
                    "(\(bind: tenantId), \(bind: id), \(bind: user.email), \(bind: user.email.lowercased()), 'pending', \(bind: false), \(bind: false), \(bind: now), \(bind: now))"
                )
                var seen = Set<GroupID>()
                for group in (user.groupIds.isEmpty ? [defaultGroup] : user.groupIds) where seen.insert(group).inserted {
                    memberValues.append("(\(bind: tenantId), \(bind: group.rawValue), \(bind: id), \(bind: now))")
                    joined[group, default: 0] += 1
                }
                let invitationId = invitations[index].id.rawValue
                invitationValues.append(
                    "(\(bind: tenantId), \(bind: invitationId), \(bind: id), \(bind: invitations[index].tokenHash), 'pending', \(bind: now), \(bind: now + invitationTTL))"
                )
                outboxValues.append(
                    "(\(bind: tenantId), \(bind: Identifiers.make()), \(bind: invitationId), 'invitation', \(bind: user.email), 'queued', \(bind: now), \(bind: now), \(bind: traceParent))"
                )
            }
            // The rows come back as inserted, so the answer is built without reading them again.
            let records: [UserRecord]
            do {
                records = try await db.raw(
                    "INSERT INTO users (tenant_id, id, email, email_key, status, is_owner, invitation_accepted, created_at, updated_at) VALUES "
                        + userValues.joined(separator: ", ") + " RETURNING \(unsafeRaw: SQLStore.userReturningColumns)"
                ).all().map(UserRecord.init(row:))
            } catch  where SQLErrors.isUniqueViolation(error) {
                throw DirectoryError.conflict("A user with one of these emails was created at the same time.")
            }
            try await db.raw("INSERT INTO group_members (tenant_id, group_id, user_id, created_at) VALUES " + memberValues.joined(separator: ", "))
                .run()
            for (group, count) in joined.sorted(by: { $0.key < $1.key }) {
                try await db.raw("UPDATE directory_groups SET member_count = member_count + \(bind: count) WHERE id = \(bind: group.rawValue)").run()
            }
            try await db.raw(
                "INSERT INTO invitations (tenant_id, id, user_id, token_hash, status, created_at, expires_at) VALUES "
                    + invitationValues.joined(separator: ", ")
            ).run()
            try await db.raw(
                "INSERT INTO outbox_messages (tenant_id, id, invitation_id, kind, recipient, status, next_attempt_at, created_at, trace_parent) VALUES "
                    + outboxValues.joined(separator: ", ")
            ).run()
            try await db.raw("UPDATE tenants SET user_count = user_count + \(bind: users.count) WHERE id = \(bind: tenantId)").run()
            let entries = users.enumerated().map { index, user in
                AuditEntry(
                    .userCreate, target: ("user", ids[index].rawValue),
                    changes: [
                        "email": AuditChange(.null, .string(user.email)), "status": AuditChange(.null, .string("pending")),
                        "groups": AuditChange(.null, .strings((user.groupIds.isEmpty ? [defaultGroup] : user.groupIds).map(\.rawValue))),
                    ])
            }
            try await store.audit(db, entries, context: context)
            let byId = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) })
            return try await store.hydrate(db, tenantId: context.tenantId, rows: ids.compactMap { byId[$0] }, now: now)
        }
    }

    /// Edits a user's profile fields.
    public func update(_ id: UserID, change: UserProfileChange, context: OperationContext) async throws -> User {
        try await pool.transaction { db in
            let before = try await store.lockUserForChange(db, id, context: context)
            var sets: [SQLQueryString] = ["updated_at = \(bind: context.now)"]
            var entry = AuditEntry(.userUpdate, target: ("user", id.rawValue))
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
            let record = try await store.updateUser(db, id, sets: sets)
            if !entry.changes.isEmpty { try await store.audit(db, [entry], context: context) }
            return try await store.hydrate(db, record, context: context)
        }
    }

    /// Deletes a user permanently; their devices are deactivated and kept without an owner.
    public func delete(_ id: UserID, context: OperationContext) async throws {
        let tenantId = context.tenantId.rawValue
        let now = context.now
        try await pool.transaction { db in
            let user = try await store.lockUserForChange(db, id, context: context, rule: UserRules.checkCanDelete)
            try await store.audit(
                db,
                [
                    AuditEntry(
                        .userDelete, target: ("user", id.rawValue),
                        changes: [
                            "email": AuditChange(.string(user.email), .null), "status": AuditChange(.string(user.status.rawValue), .null),
                        ])
                ], context: context)
            try await db.raw(
                "UPDATE devices SET active = \(bind: false), updated_at = \(bind: now) WHERE tenant_id = \(bind: tenantId) AND user_id = \(bind: id.rawValue)"
            ).run()
            try await db.raw(
                "UPDATE directory_groups SET member_count = member_count - 1 WHERE id IN (SELECT group_id FROM group_members WHERE user_id = \(bind: id.rawValue))"
            ).run()
            try await db.raw("DELETE FROM users WHERE id = \(bind: id.rawValue)").run()
            try await db.raw("UPDATE tenants SET user_count = user_count - 1 WHERE id = \(bind: tenantId)").run()
        }
    }

    /// Suspends a user (idempotent); their devices are deactivated.
    public func deactivate(_ id: UserID, context: OperationContext) async throws -> User {
        let now = context.now
        return try await pool.transaction { db in
            let user = try await store.lockUserForChange(db, id, context: context, rule: UserRules.checkCanDeactivate)
            if user.status != .inactive {
                try await store.audit(
                    db,
                    [
                        AuditEntry(
                            .userDeactivate, target: ("user", id.rawValue),
                            changes: ["status": AuditChange(.string(user.status.rawValue), .string("inactive"))])
                    ], context: context)
                try await db.raw("UPDATE users SET status = 'inactive', updated_at = \(bind: now) WHERE id = \(bind: id.rawValue)").run()
                try await db.raw(
                    """
                    UPDATE devices SET active = \(bind: false), updated_at = \(bind: now)
                    WHERE tenant_id = \(bind: context.tenantId.rawValue) AND user_id = \(bind: id.rawValue) AND active = \(bind: true)
                    """
                ).run()
            }
            return try await store.loadUser(db, id, context: context)
        }
    }

    /// Restores a deactivated user to `active`, or to `pending` if they never accepted their invitation.
    public func reactivate(_ id: UserID, context: OperationContext) async throws -> User {
        try await pool.transaction { db in
            _ = try await store.lockUserForChange(db, id, context: context, rule: UserRules.checkCanReactivate)
            let accepted =
                try await db.raw("SELECT invitation_accepted FROM users WHERE id = \(bind: id.rawValue)").first()?
                .decode(column: "invitation_accepted", as: Bool.self) ?? false
            let status = UserRules.reactivatedStatus(invitationAccepted: accepted)
            try await db.raw(
                "UPDATE users SET status = \(bind: status.rawValue), updated_at = \(bind: context.now) WHERE id = \(bind: id.rawValue)"
            ).run()
            try await store.audit(
                db,
                [
                    AuditEntry(
                        .userReactivate, target: ("user", id.rawValue),
                        changes: ["status": AuditChange(.string("inactive"), .string(status.rawValue))])
                ], context: context)
            return try await store.loadUser(db, id, context: context)
        }
    }

    /// Issues a new invitation to a pending user, superseding earlier ones.
    public func reinvite(_ id: UserID, invitation: NewInvitation, invitationTTL: Millis, context: OperationContext) async throws {
        let tenantId = context.tenantId.rawValue
        let now = context.now
        try await pool.transaction { db in
            let user = try await store.lockUserForChange(db, id, context: context, rule: UserRules.checkCanReinvite)
            let invitationId = invitation.id.rawValue
            try await store.audit(
                db,
                [
                    AuditEntry(
                        .userInvite, target: ("user", id.rawValue), related: ("invitation", invitationId),
                        changes: ["invitation": AuditChange(.null, .string(invitationId))]
                    )
                ], context: context)
            try await db.raw(
                "UPDATE invitations SET status = 'superseded', consumed_at = \(bind: now) WHERE user_id = \(bind: id.rawValue) AND status = 'pending'"
            ).run()
            // Messages of superseded invitations that have not gone out yet are not sent at all.
            try await db.raw(
                """
                UPDATE outbox_messages SET status = 'cancelled', lease_until = NULL
                WHERE status = 'queued' AND invitation_id IN (SELECT id FROM invitations WHERE user_id = \(bind: id.rawValue) AND status = 'superseded')
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO invitations (tenant_id, id, user_id, token_hash, status, created_at, expires_at)
                VALUES (\(bind: tenantId), \(bind: invitationId), \(bind: id.rawValue), \(bind: invitation.tokenHash), 'pending', \(bind: now), \(bind: now + invitationTTL))
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO outbox_messages (tenant_id, id, invitation_id, kind, recipient, status, next_attempt_at, created_at, trace_parent)
                VALUES (\(bind: tenantId), \(bind: Identifiers.make()), \(bind: invitationId), 'invitation', \(bind: user.email),
                'queued', \(bind: now), \(bind: now), \(bind: context.traceParent))
                """
            ).run()
        }
    }
}
