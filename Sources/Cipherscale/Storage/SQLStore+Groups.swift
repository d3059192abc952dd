import SQLKit

extension SQLStore {
    /// The columns ``Group/init(row:)`` reads.
    static let groupColumns =
        "g.id, g.name, g.description, g.is_default, g.deleteable, g.max_devices, g.is_saml_default, g.idp_mapping, g.member_count, g.created_at, g.updated_at, g.external_id"

    /// Attaches roles (and, when `members` is true, the first members) to group rows.
    func hydrateGroups(_ db: any SQLDatabase, tenantId: TenantID, groups: [Group], members: Bool) async throws -> [Group] {
        guard !groups.isEmpty else { return [] }
        let roles = try await tenantRoles(db, tenantId: tenantId)
        let tenantId = tenantId.rawValue
        let ids: [any Encodable & Sendable] = groups.map(\.id.rawValue)
        var groupRoles: [GroupID: [Role]] = [:]
        for row in try await db.raw(
            "SELECT group_id, role_id FROM group_roles WHERE tenant_id = \(bind: tenantId) AND group_id IN (\(binds: ids))"
        ).all() {
            if let role = roles[try row.id("role_id")] {
                groupRoles[try row.id("group_id"), default: []].append(role)
            }
        }
        var result = groups
        for index in result.indices {
            result[index].roles = RoleRules.sorted(groupRoles[result[index].id] ?? [])
            if members {
                result[index].members = try await db.raw(
                    """
                    SELECT u.id, u.email, u.first_name, u.last_name, u.updated_at, gm.created_at AS joined_at
                    FROM group_members gm JOIN users u ON u.id = gm.user_id
                    WHERE gm.group_id = \(bind: result[index].id.rawValue)
                    ORDER BY gm.created_at, gm.user_id LIMIT \(bind: Group.memberLimit)
                    """
                ).all().map(GroupMember.init(row:))
            }
        }
        return result
    }

    /// Reads one group's row (locked for the transaction with `lock`), or throws 404.
    func loadGroup(_ db: any SQLDatabase, _ id: GroupID, tenantId: TenantID, lock: Bool = false) async throws -> Group {
        let suffix = lock ? lockClause() : ""
        guard
            let row = try await db.raw(
                """
                SELECT \(unsafeRaw: Self.groupColumns) FROM directory_groups g
                WHERE g.tenant_id = \(bind: tenantId.rawValue) AND g.id = \(bind: id.rawValue)\(unsafeRaw: suffix)
                """
            ).first()
        else { throw DirectoryError.groupNotFound }
        return try Group(row: row)
    }
}
