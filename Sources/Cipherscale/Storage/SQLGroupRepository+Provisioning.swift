import SQLKit

extension SQLGroupRepository {
    /// The attributes SCIM filters and sorts groups by.
    static let scimGroups = SQLScimFilter(
        columns: [
            "id": .text("g.id", caseExact: true),
            "externalid": .text("g.external_id", caseExact: true),
            "displayname": .text("g.name_key", caseExact: false, folded: true),
            "members.value": .relation(exists: "SELECT 1 FROM group_members gm WHERE gm.group_id = g.id AND ", column: "gm.user_id"),
            "meta.created": .time("g.created_at"),
            "meta.lastmodified": .time("g.updated_at"),
            "meta.resourcetype": .constant(.string("Group")),
        ],
        resource: "Groups"
    )

    /// One page of the groups a SCIM filter matches, with the number of matches; with `allMembers`
    /// each group carries every member, else none (`members` is nil).
    public func search(_ query: ScimQuery, allMembers: Bool, context: OperationContext) async throws -> ScimPage<Group> {
        let tenantId = context.tenantId.rawValue
        let target = SQLScimFilter.Target(kind: store.pool.kind, tenantId: tenantId)
        let condition: SQLQueryString = try query.filter.map { " AND " + (try Self.scimGroups.condition($0, for: target)) } ?? ""
        let order = SQLScimOrder.clause(query, filter: Self.scimGroups, fallback: "g.created_at", id: "g.id")
        return try await store.pool.read { db in
            let total =
                try await db.raw("SELECT COUNT(*) AS n FROM directory_groups g WHERE g.tenant_id = \(bind: tenantId)" + condition).first()?
                .decode(column: "n", as: Int.self) ?? 0
            guard query.count > 0, query.startIndex <= total else { return ScimPage(total: total, items: []) }
            let rows = try await db.raw(
                "SELECT \(unsafeRaw: SQLStore.groupColumns) FROM directory_groups g WHERE g.tenant_id = \(bind: tenantId)" + condition + order
                    + " LIMIT \(bind: query.count) OFFSET \(bind: query.startIndex - 1)"
            ).all().map(Group.init(row:))
            // Without members, none are read (a list of groups of thousands of members stays cheap).
            let groups = try await store.hydrateGroups(db, tenantId: context.tenantId, groups: rows, members: allMembers)
            return ScimPage(total: total, items: allMembers ? try await completeMembers(db, groups) : groups)
        }
    }

    /// One group with every member (not only the first ``Group/memberLimit``), or 404.
    public func groupWithAllMembers(_ id: GroupID, context: OperationContext) async throws -> Group {
        try await store.pool.read { db in
            let group = try await store.loadGroup(db, id, tenantId: context.tenantId)
            return try await completeMembers(db, try await store.hydrateGroups(db, tenantId: context.tenantId, groups: [group], members: true))[0]
        }
    }

    /// The groups with every member loaded where they have more than the first page.
    private func completeMembers(_ db: any SQLDatabase, _ groups: [Group]) async throws -> [Group] {
        var result = groups
        for index in result.indices where result[index].memberCount > Group.memberLimit {
            result[index].members = try await db.raw(
                """
                SELECT u.id, u.email, u.first_name, u.last_name, u.updated_at, gm.created_at AS joined_at
                FROM group_members gm JOIN users u ON u.id = gm.user_id
                WHERE gm.group_id = \(bind: result[index].id.rawValue) ORDER BY gm.created_at, gm.user_id
                """
            ).all().map(GroupMember.init(row:))
        }
        return result
    }

    /// Creates a provisioned group (no roles, no device limit) with its first members, in one transaction.
    public func provision(_ group: ProvisionedGroup, members: [UserID], context: OperationContext) async throws -> Group {
        let id = GroupID.make()
        let now = context.now
        try await store.pool.transaction { db in
            try GroupRules.checkNameFree(try await nameTaken(db, tenantId: context.tenantId, name: group.name, except: nil))
            do {
                try await db.raw(
                    """
                    INSERT INTO directory_groups (tenant_id, id, name, name_key, description, is_default, deleteable, max_devices,
                    is_saml_default, idp_mapping, member_count, external_id, created_at, updated_at)
                    VALUES (\(bind: context.tenantId.rawValue), \(bind: id.rawValue), \(bind: group.name), \(bind: group.name.lowercased()),
                    NULL, \(bind: false), \(bind: true), NULL, \(bind: false), '[]', 0, \(bind: group.externalId), \(bind: now), \(bind: now))
                    """
                ).run()
            } catch  where SQLErrors.isUniqueViolation(error) {
                throw GroupRules.nameTaken
            }
            var entry = AuditEntry(.groupCreate, target: ("group", id.rawValue), changes: ["name": AuditChange(.null, .string(group.name))])
            entry.record("externalId", .null, AuditValue(group.externalId))
            try await store.audit(db, [entry], context: context)
            try await store.changeMembers(db, group: id, isDefault: false, changes: [.add(members)], context: context)
        }
        return try await groupWithAllMembers(id, context: context)
    }

    /// Renames a group and sets its external id (when `group` is given) and changes its members, in
    /// one transaction that checks `If-Match` on the locked group first.
    public func applyProvisioning(_ id: GroupID, group: ProvisionedGroup?, members: [MemberChange], context: OperationContext) async throws
        -> Group
    {
        try await store.pool.transaction { db in
            let locked = try await store.loadGroup(db, id, tenantId: context.tenantId, lock: true)
            try await store.checkIfMatch(db, group: id, context: context)
            if let group {
                var entry = AuditEntry(.groupUpdate, target: ("group", id.rawValue))
                entry.record("name", .string(locked.name), .string(group.name))
                entry.record("externalId", AuditValue(locked.externalId), AuditValue(group.externalId))
                if !entry.changes.isEmpty {
                    try GroupRules.checkNameFree(try await nameTaken(db, tenantId: context.tenantId, name: group.name, except: id))
                    do {
                        try await db.raw(
                            """
                            UPDATE directory_groups SET name = \(bind: group.name), name_key = \(bind: group.name.lowercased()),
                            external_id = \(bind: group.externalId), updated_at = \(bind: context.now) WHERE id = \(bind: id.rawValue)
                            """
                        ).run()
                    } catch  where SQLErrors.isUniqueViolation(error) {
                        throw GroupRules.nameTaken
                    }
                    try await store.audit(db, [entry], context: context)
                }
            }
            try await store.changeMembers(db, group: id, isDefault: locked.isDefault, changes: members, context: context)
        }
        return try await groupWithAllMembers(id, context: context)
    }
}
