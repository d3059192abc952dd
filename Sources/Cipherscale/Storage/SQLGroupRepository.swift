import Foundation
import SQLKit

/// Groups in SQL. Changes lock the group's row first, then check `If-Match` and the rules on it.
public struct SQLGroupRepository: GroupRepository {
    /// The shared store.
    let store: SQLStore

    /// A repository over `store`.
    public init(store: SQLStore) {
        self.store = store
    }

    private var pool: DatabasePool { store.pool }
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

    /// One page of the tenant's groups (without members).
    public func list(_ query: ListQuery, context: OperationContext) async throws -> Page<Group> {
        try await pool.read { db in
            let page = try await ListPager(list: Self.groupList, schema: .groups, kind: pool.kind).page(
                db, query: query, columns: SQLStore.groupColumns, from: "directory_groups g",
                scope: "g.tenant_id = \(bind: context.tenantId.rawValue)", decode: Group.init(row:), id: \.id.rawValue
            )
            return try await page.map { try await store.hydrateGroups(db, tenantId: context.tenantId, groups: $0, members: false) }
        }
    }

    /// One group with its roles and first members.
    public func group(_ id: GroupID, context: OperationContext) async throws -> Group {
        try await pool.read { db in
            let group = try await store.loadGroup(db, id, tenantId: context.tenantId)
            return try await store.hydrateGroups(db, tenantId: context.tenantId, groups: [group], members: true)[0]
        }
    }

    func nameTaken(_ db: any SQLDatabase, tenantId: TenantID, name: String, except id: GroupID?) async throws -> Bool {
        let row = try await db.raw(
            "SELECT id FROM directory_groups WHERE tenant_id = \(bind: tenantId.rawValue) AND name_key = \(bind: name.lowercased())"
        ).first()
        guard let row else { return false }
        return try row.decode(column: "id", as: String.self) != id?.rawValue
    }

    private static func mappingJSON(_ mapping: [String]) -> String {
        String(decoding: try! JSONEncoder().encode(mapping), as: UTF8.self)
    }

    /// Creates a group; names are unique per tenant regardless of case (409).
    public func create(_ draft: GroupDraft, context: OperationContext) async throws -> Group {
        try await pool.transaction { db in
            try RoleRules.checkGrantable(draft.roleIds, roles: try await store.tenantRoles(db, tenantId: context.tenantId))
            try GroupRules.checkNameFree(try await nameTaken(db, tenantId: context.tenantId, name: draft.name, except: nil))
            let id = GroupID.make()
            let now = context.now
            do {
                try await db.raw(
                    """
                    INSERT INTO directory_groups (tenant_id, id, name, name_key, description, is_default, deleteable, max_devices,
                    is_saml_default, idp_mapping, member_count, created_at, updated_at)
                    VALUES (\(bind: context.tenantId.rawValue), \(bind: id.rawValue), \(bind: draft.name), \(bind: draft.name.lowercased()),
                    \(bind: draft.description), \(bind: false), \(bind: true), \(bind: draft.maxDevices), \(bind: draft.isSamlDefaultGroup),
                    \(bind: Self.mappingJSON(draft.idpMapping)), 0, \(bind: now), \(bind: now))
                    """
                ).run()
            } catch  where SQLErrors.isUniqueViolation(error) {
                throw GroupRules.nameTaken
            }
            try await insertGroupRoles(db, tenantId: context.tenantId, groupId: id, roleIds: draft.roleIds)
            var entry = AuditEntry(.groupCreate, target: ("group", id.rawValue))
            Self.recordGroupFields(&entry, before: nil, after: draft)
            try await store.audit(db, [entry], context: context)
            let group = try await store.loadGroup(db, id, tenantId: context.tenantId)
            return try await store.hydrateGroups(db, tenantId: context.tenantId, groups: [group], members: true)[0]
        }
    }

    /// Adds the group fields that differ between `before` (nil for a new group) and `after` to an audit entry.
    private static func recordGroupFields(_ entry: inout AuditEntry, before: Group?, after: GroupDraft) {
        entry.record("name", AuditValue(before?.name), .string(after.name))
        entry.record("description", AuditValue(before?.description), AuditValue(after.description))
        entry.record("maxDevices", AuditValue(before?.maxDevices), AuditValue(after.maxDevices))
        entry.record("isSamlDefaultGroup", before.map { .bool($0.isSamlDefaultGroup) } ?? .null, .bool(after.isSamlDefaultGroup))
        entry.record("idpMapping", before.map { .strings($0.idpMapping) } ?? .null, .strings(after.idpMapping))
        entry.record(
            "roles", before.map { .strings($0.roles.map(\.id).sorted().map(\.rawValue)) } ?? .null, .strings(after.roleIds.sorted().map(\.rawValue)))
    }

    private func insertGroupRoles(_ db: any SQLDatabase, tenantId: TenantID, groupId: GroupID, roleIds: [RoleID]) async throws {
        guard !roleIds.isEmpty else { return }
        let values = roleIds.map { roleId -> SQLQueryString in
            "(\(bind: tenantId.rawValue), \(bind: groupId.rawValue), \(bind: roleId.rawValue))"
        }
        try await db.raw("INSERT INTO group_roles (tenant_id, group_id, role_id) VALUES " + values.joined(separator: ", ")).run()
    }

    /// Replaces a group's fields and roles; the new roles apply to members at once.
    public func replace(_ id: GroupID, with draft: GroupDraft, context: OperationContext) async throws -> Group {
        try await pool.transaction { db in
            let locked = try await store.loadGroup(db, id, tenantId: context.tenantId, lock: true)
            try await store.checkIfMatch(db, group: id, context: context)
            let before = try await store.hydrateGroups(db, tenantId: context.tenantId, groups: [locked], members: false)[0]
            try RoleRules.checkGrantable(draft.roleIds, roles: try await store.tenantRoles(db, tenantId: context.tenantId))
            try GroupRules.checkNameFree(try await nameTaken(db, tenantId: context.tenantId, name: draft.name, except: id))
            do {
                try await db.raw(
                    """
                    UPDATE directory_groups SET name = \(bind: draft.name), name_key = \(bind: draft.name.lowercased()),
                    description = \(bind: draft.description), max_devices = \(bind: draft.maxDevices),
                    is_saml_default = \(bind: draft.isSamlDefaultGroup), idp_mapping = \(bind: Self.mappingJSON(draft.idpMapping)),
                    updated_at = \(bind: context.now) WHERE id = \(bind: id.rawValue)
                    """
                ).run()
            } catch  where SQLErrors.isUniqueViolation(error) {
                throw GroupRules.nameTaken
            }
            try await db.raw("DELETE FROM group_roles WHERE group_id = \(bind: id.rawValue)").run()
            try await insertGroupRoles(db, tenantId: context.tenantId, groupId: id, roleIds: draft.roleIds)
            var entry = AuditEntry(.groupUpdate, target: ("group", id.rawValue))
            Self.recordGroupFields(&entry, before: before, after: draft)
            if !entry.changes.isEmpty { try await store.audit(db, [entry], context: context) }
            let group = try await store.loadGroup(db, id, tenantId: context.tenantId)
            return try await store.hydrateGroups(db, tenantId: context.tenantId, groups: [group], members: true)[0]
        }
    }

    /// Deletes a group. Members left in no group move to the Default group; the Default group itself is 409.
    public func delete(_ id: GroupID, context: OperationContext) async throws {
        let now = context.now
        try await pool.transaction { db in
            let group = try await store.loadGroup(db, id, tenantId: context.tenantId, lock: true)
            try GroupRules.checkCanDelete(group)
            try await store.checkIfMatch(db, group: id, context: context)
            let defaultGroup = try await store.defaultGroupId(db, tenantId: context.tenantId).rawValue
            try await store.audit(
                db,
                [
                    AuditEntry(
                        .groupDelete, target: ("group", id.rawValue),
                        changes: [
                            "name": AuditChange(.string(group.name), .null), "userCount": AuditChange(.int(group.memberCount), .null),
                        ])
                ], context: context)
            try await db.raw(
                "UPDATE users SET updated_at = \(bind: now) WHERE id IN (SELECT user_id FROM group_members WHERE group_id = \(bind: id.rawValue))"
            ).run()
            let moved = try await db.raw(
                """
                INSERT INTO group_members (tenant_id, group_id, user_id, created_at)
                SELECT gm.tenant_id, \(bind: defaultGroup), gm.user_id, \(bind: now) FROM group_members gm
                WHERE gm.group_id = \(bind: id.rawValue)
                AND NOT EXISTS (SELECT 1 FROM group_members other WHERE other.user_id = gm.user_id AND other.group_id <> \(bind: id.rawValue))
                RETURNING user_id
                """
            ).all().count
            if moved > 0 {
                try await db.raw("UPDATE directory_groups SET member_count = member_count + \(bind: moved) WHERE id = \(bind: defaultGroup)").run()
            }
            try await db.raw("DELETE FROM directory_groups WHERE id = \(bind: id.rawValue)").run()
        }
    }
}
