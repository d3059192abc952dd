import Foundation
import SQLKit

/// A validated group body (create and full replacement).
public struct GroupDraft: Sendable {
    public var name: String
    public var description: String?
    /// Canonical role ids, without duplicates.
    public var roleIds: [String]
    public var maxDevices: Int?
    public var isSamlDefaultGroup: Bool
    public var idpMapping: [String]
}

extension DirectoryStore {
    static let groupColumns =
        "g.id, g.name, g.description, g.is_default, g.deleteable, g.max_devices, g.is_saml_default, g.idp_mapping, g.member_count, g.created_at, g.updated_at"

    /// Column mapping of the group list.
    static let groupList = ListSQL(
        columns: [
            "id": ListColumn("g.id"),
            "name": ListColumn("g.name"),
            "createdAt": ListColumn("g.created_at"),
            "updatedAt": ListColumn("g.updated_at"),
        ],
        searchColumns: ["g.name", "g.description"],
        idColumn: "g.id"
    )

    static func group(_ row: any SQLRow) throws -> Group {
        let mapping = try row.decode(column: "idp_mapping", as: String.self)
        return Group(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            description: try row.decode(column: "description", as: String?.self),
            isDefault: try row.decode(column: "is_default", as: Bool.self),
            deleteable: try row.decode(column: "deleteable", as: Bool.self),
            maxDevices: try row.decode(column: "max_devices", as: Int?.self),
            isSamlDefaultGroup: try row.decode(column: "is_saml_default", as: Bool.self),
            idpMapping: (try? JSONDecoder().decode([String].self, from: Data(mapping.utf8))) ?? [],
            memberCount: try row.decode(column: "member_count", as: Int.self),
            createdAt: try row.decode(column: "created_at", as: Millis.self),
            updatedAt: try row.decode(column: "updated_at", as: Millis.self),
            roles: [],
            members: nil
        )
    }

    /// Attaches roles (and, when `members` is true, the first members) to group rows.
    func hydrateGroups(_ db: any SQLDatabase, tenantId: String, groups: [Group], members: Bool) async throws -> [Group] {
        guard !groups.isEmpty else { return [] }
        let roles = try await tenantRoles(db, tenantId: tenantId)
        let ids: [any Encodable & Sendable] = groups.map(\.id)
        var groupRoles: [String: [Role]] = [:]
        for row in try await db.raw(
            "SELECT group_id, role_id FROM group_roles WHERE tenant_id = \(bind: tenantId) AND group_id IN (\(binds: ids))"
        ).all() {
            if let role = roles[try row.decode(column: "role_id", as: String.self)] {
                groupRoles[try row.decode(column: "group_id", as: String.self), default: []].append(role)
            }
        }
        var result = groups
        for index in result.indices {
            result[index].roles = (groupRoles[result[index].id] ?? []).sorted { ($0.type.rank, $0.id) < ($1.type.rank, $1.id) }
            if members {
                result[index].members = try await db.raw(
                    """
                    SELECT u.id, u.email, u.first_name, u.last_name, u.updated_at, gm.created_at AS joined_at
                    FROM group_members gm JOIN users u ON u.id = gm.user_id
                    WHERE gm.group_id = \(bind: result[index].id)
                    ORDER BY gm.created_at, gm.user_id LIMIT \(bind: Group.memberLimit)
                    """
                ).all().map { row in
                    GroupMember(
                        id: try row.decode(column: "id", as: String.self),
                        email: try row.decode(column: "email", as: String.self),
                        firstName: try row.decode(column: "first_name", as: String?.self),
                        lastName: try row.decode(column: "last_name", as: String?.self),
                        joinedAt: try row.decode(column: "joined_at", as: Millis.self),
                        updatedAt: try row.decode(column: "updated_at", as: Millis.self)
                    )
                }
            }
        }
        return result
    }

    func loadGroup(_ db: any SQLDatabase, tenantId: String, id: String, lock: Bool = false) async throws -> Group {
        let suffix = lock && pool.kind == .postgres ? " FOR UPDATE" : ""
        guard let row = try await db.raw(
            "SELECT \(unsafeRaw: Self.groupColumns) FROM directory_groups g WHERE g.tenant_id = \(bind: tenantId) AND g.id = \(bind: id)\(unsafeRaw: suffix)"
        ).first() else { throw DirectoryError.groupNotFound }
        return try Self.group(row)
    }

    /// One page of the tenant's groups (without members).
    public func listGroups(tenantId: String, query: ListQuery) async throws -> Page<Group> {
        try await pool.read { db in
            let conditions = Self.groupList.conditions(for: query, kind: pool.kind)
            let total = try await db.raw("SELECT COUNT(*) AS n FROM directory_groups g WHERE g.tenant_id = \(bind: tenantId)" + conditions)
                .first()?.decode(column: "n", as: Int.self) ?? 0
            var groups: [Group] = []
            var nextCursor: String?
            if query.limit > 0 {
                // One more row than the page tells whether a next page exists.
                let rows = try await db.raw(
                    "SELECT \(unsafeRaw: Self.groupColumns)\(unsafeRaw: Self.groupList.sortValueColumns(for: query)) FROM directory_groups g WHERE g.tenant_id = \(bind: tenantId)"
                        + conditions + Self.groupList.keyset(for: query, kind: pool.kind) + Self.groupList.orderBy(for: query, kind: pool.kind)
                        + " LIMIT \(bind: query.limit + 1) OFFSET \(bind: query.offset)"
                ).all()
                groups = try rows.prefix(query.limit).map(Self.group)
                if rows.count > query.limit, let last = groups.last {
                    nextCursor = try Self.groupList.cursor(rows[query.limit - 1], id: last.id, query: query, schema: .groups)
                }
            }
            return Page(
                items: try await hydrateGroups(db, tenantId: tenantId, groups: groups, members: false), total: total, query: query,
                nextCursor: nextCursor
            )
        }
    }

    /// One group with its roles and first members.
    public func group(tenantId: String, id: String) async throws -> Group {
        try await pool.read { db in
            let group = try await loadGroup(db, tenantId: tenantId, id: id)
            return try await hydrateGroups(db, tenantId: tenantId, groups: [group], members: true)[0]
        }
    }

    /// Checks the roles of a group body: unknown ids 422, OWNER 403.
    private func checkGroupRoles(_ db: any SQLDatabase, tenantId: String, roleIds: [String]) async throws {
        let roles = try await tenantRoles(db, tenantId: tenantId)
        let errors = roleIds.enumerated().filter { roles[$0.element] == nil }.map {
            FieldError("/roles/\($0.offset)", "no role with id \($0.element) exists in the tenant")
        }
        if !errors.isEmpty { throw DirectoryError.unknownReference("Some roles do not exist.", errors) }
        if roleIds.contains(where: { roles[$0]?.type == .owner }) {
            throw DirectoryError.forbidden("The OWNER role cannot be granted through a group.")
        }
    }

    private func nameTaken(_ db: any SQLDatabase, tenantId: String, name: String, except id: String?) async throws -> Bool {
        let row = try await db.raw(
            "SELECT id FROM directory_groups WHERE tenant_id = \(bind: tenantId) AND name_key = \(bind: name.lowercased())"
        ).first()
        guard let row else { return false }
        return try row.decode(column: "id", as: String.self) != id
    }

    private static func mappingJSON(_ mapping: [String]) -> String {
        String(decoding: try! JSONEncoder().encode(mapping), as: UTF8.self)
    }

    /// Creates a group; names are unique per tenant regardless of case (409).
    public func createGroup(tenantId: String, draft: GroupDraft) async throws -> Group {
        try await pool.transaction { db in
            try await checkGroupRoles(db, tenantId: tenantId, roleIds: draft.roleIds)
            if try await nameTaken(db, tenantId: tenantId, name: draft.name, except: nil) {
                throw DirectoryError.conflict("A group with this name already exists.", [FieldError("/name", "already in use")])
            }
            let id = Identifiers.make()
            let now = Timestamps.now()
            do {
                try await db.raw(
                    """
                    INSERT INTO directory_groups (tenant_id, id, name, name_key, description, is_default, deleteable, max_devices,
                    is_saml_default, idp_mapping, member_count, created_at, updated_at)
                    VALUES (\(bind: tenantId), \(bind: id), \(bind: draft.name), \(bind: draft.name.lowercased()), \(bind: draft.description),
                    \(bind: false), \(bind: true), \(bind: draft.maxDevices), \(bind: draft.isSamlDefaultGroup),
                    \(bind: Self.mappingJSON(draft.idpMapping)), 0, \(bind: now), \(bind: now))
                    """
                ).run()
            } catch where SQLErrors.isUniqueViolation(error) {
                throw DirectoryError.conflict("A group with this name already exists.", [FieldError("/name", "already in use")])
            }
            try await insertGroupRoles(db, tenantId: tenantId, groupId: id, roleIds: draft.roleIds)
            var entry = AuditEntry("group.create", target: ("group", id))
            Self.recordGroupFields(&entry, before: nil, after: draft)
            try await audit(db, tenantId: tenantId, [entry], at: now)
            let group = try await loadGroup(db, tenantId: tenantId, id: id)
            return try await hydrateGroups(db, tenantId: tenantId, groups: [group], members: true)[0]
        }
    }

    /// Adds the group fields that differ between `before` (nil for a new group) and `after` to an audit entry.
    private static func recordGroupFields(_ entry: inout AuditEntry, before: Group?, after: GroupDraft) {
        entry.record("name", AuditValue(before?.name), .string(after.name))
        entry.record("description", AuditValue(before?.description), AuditValue(after.description))
        entry.record("maxDevices", AuditValue(before?.maxDevices), AuditValue(after.maxDevices))
        entry.record("isSamlDefaultGroup", before.map { .bool($0.isSamlDefaultGroup) } ?? .null, .bool(after.isSamlDefaultGroup))
        entry.record("idpMapping", before.map { .strings($0.idpMapping) } ?? .null, .strings(after.idpMapping))
        entry.record("roles", before.map { .strings($0.roles.map(\.id).sorted()) } ?? .null, .strings(after.roleIds.sorted()))
    }

    private func insertGroupRoles(_ db: any SQLDatabase, tenantId: String, groupId: String, roleIds: [String]) async throws {
        guard !roleIds.isEmpty else { return }
        let values = roleIds.map { roleId -> SQLQueryString in "(\(bind: tenantId), \(bind: groupId), \(bind: roleId))" }
        try await db.raw("INSERT INTO group_roles (tenant_id, group_id, role_id) VALUES " + values.joined(separator: ", ")).run()
    }

    /// Replaces a group's fields and roles; the new roles apply to members at once.
    public func replaceGroup(tenantId: String, id: String, draft: GroupDraft) async throws -> Group {
        try await pool.transaction { db in
            let locked = try await loadGroup(db, tenantId: tenantId, id: id, lock: true)
            try await checkIfMatch(db, tenantId: tenantId, group: id)
            let before = try await hydrateGroups(db, tenantId: tenantId, groups: [locked], members: false)[0]
            try await checkGroupRoles(db, tenantId: tenantId, roleIds: draft.roleIds)
            if try await nameTaken(db, tenantId: tenantId, name: draft.name, except: id) {
                throw DirectoryError.conflict("A group with this name already exists.", [FieldError("/name", "already in use")])
            }
            do {
                try await db.raw(
                    """
                    UPDATE directory_groups SET name = \(bind: draft.name), name_key = \(bind: draft.name.lowercased()),
                    description = \(bind: draft.description), max_devices = \(bind: draft.maxDevices),
                    is_saml_default = \(bind: draft.isSamlDefaultGroup), idp_mapping = \(bind: Self.mappingJSON(draft.idpMapping)),
                    updated_at = \(bind: Timestamps.now()) WHERE id = \(bind: id)
                    """
                ).run()
            } catch where SQLErrors.isUniqueViolation(error) {
                throw DirectoryError.conflict("A group with this name already exists.", [FieldError("/name", "already in use")])
            }
            try await db.raw("DELETE FROM group_roles WHERE group_id = \(bind: id)").run()
            try await insertGroupRoles(db, tenantId: tenantId, groupId: id, roleIds: draft.roleIds)
            var entry = AuditEntry("group.update", target: ("group", id))
            Self.recordGroupFields(&entry, before: before, after: draft)
            if !entry.changes.isEmpty { try await audit(db, tenantId: tenantId, [entry]) }
            let group = try await loadGroup(db, tenantId: tenantId, id: id)
            return try await hydrateGroups(db, tenantId: tenantId, groups: [group], members: true)[0]
        }
    }

    /// Deletes a group. Members left in no group move to the Default group; the Default group itself is 409.
    public func deleteGroup(tenantId: String, id: String) async throws {
        try await pool.transaction { db in
            let group = try await loadGroup(db, tenantId: tenantId, id: id, lock: true)
            if group.isDefault || !group.deleteable { throw DirectoryError.conflict("The Default group cannot be deleted.") }
            try await checkIfMatch(db, tenantId: tenantId, group: id)
            let defaultGroup = try await defaultGroupId(db, tenantId: tenantId)
            let now = Timestamps.now()
            try await audit(db, tenantId: tenantId, [
                AuditEntry("group.delete", target: ("group", id), changes: [
                    "name": AuditChange(.string(group.name), .null), "userCount": AuditChange(.int(group.memberCount), .null),
                ])
            ], at: now)
            try await db.raw(
                "UPDATE users SET updated_at = \(bind: now) WHERE id IN (SELECT user_id FROM group_members WHERE group_id = \(bind: id))"
            ).run()
            let moved = try await db.raw(
                """
                INSERT INTO group_members (tenant_id, group_id, user_id, created_at)
                SELECT gm.tenant_id, \(bind: defaultGroup), gm.user_id, \(bind: now) FROM group_members gm
                WHERE gm.group_id = \(bind: id)
                AND NOT EXISTS (SELECT 1 FROM group_members other WHERE other.user_id = gm.user_id AND other.group_id <> \(bind: id))
                RETURNING user_id
                """
            ).all().count
            if moved > 0 {
                try await db.raw("UPDATE directory_groups SET member_count = member_count + \(bind: moved) WHERE id = \(bind: defaultGroup)").run()
            }
            try await db.raw("DELETE FROM directory_groups WHERE id = \(bind: id)").run()
        }
    }
}
