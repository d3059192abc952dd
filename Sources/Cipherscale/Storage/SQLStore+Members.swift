import SQLKit

extension SQLStore {
    /// The most ids one statement binds (well under both engines' limits).
    static let bindChunk = 500

    /// Applies member changes to a group in the caller's transaction, whatever their number, in a
    /// handful of statements: the users are locked (in id order, as single joins lock them), unknown
    /// ids are 422, joins and leaves are counted and audited per user like the REST API's. A user
    /// leaving their last group joins the Default group; leaving the Default group itself as one's
    /// last group is not possible, so such a user stays.
    func changeMembers(_ db: any SQLDatabase, group: GroupID, isDefault: Bool, changes: [MemberChange], context: OperationContext) async throws {
        guard !changes.isEmpty else { return }
        let tenantId = context.tenantId.rawValue
        var added = Set<UserID>()
        var removed = Set<UserID>()
        var current: Set<UserID>?
        for change in changes {
            switch change {
            case .add(let ids):
                for id in ids {
                    removed.remove(id)
                    added.insert(id)
                }
            case .remove(let ids):
                for id in ids {
                    added.remove(id)
                    removed.insert(id)
                }
            case .replace(let ids):
                if current == nil {
                    current = Set(
                        try await db.raw("SELECT user_id FROM group_members WHERE group_id = \(bind: group.rawValue)").all()
                            .map { try $0.id("user_id") as UserID })
                }
                let wanted = Set(ids)
                removed = current!.subtracting(wanted)
                added = wanted
            }
        }
        let touched = added.union(removed).sorted()
        guard !touched.isEmpty else { return }

        // Lock the users and read every membership they have.
        var known = Set<UserID>()
        var memberships: [UserID: [GroupID]] = [:]
        for chunk in Self.chunks(touched) {
            let binds: [any Encodable & Sendable] = chunk.map(\.rawValue)
            for row in try await db.raw(
                "SELECT id FROM users WHERE tenant_id = \(bind: tenantId) AND id IN (\(binds: binds)) ORDER BY id\(unsafeRaw: lockClause())"
            ).all() { known.insert(try row.id("id")) }
            for row in try await db.raw(
                "SELECT user_id, group_id FROM group_members WHERE tenant_id = \(bind: tenantId) AND user_id IN (\(binds: binds))"
            ).all() { memberships[try row.id("user_id"), default: []].append(try row.id("group_id")) }
        }
        let unknown = added.subtracting(known).sorted()
        if !unknown.isEmpty {
            throw DirectoryError.unknownReference(
                "No user with id \(unknown.prefix(5).map(\.rawValue).joined(separator: ", "))\(unknown.count > 5 ? " (and \(unknown.count - 5) more)" : "") exists in the tenant.",
                [FieldError(.body(field: "members"), "unknown user")])
        }
        let joining = added.filter { !(memberships[$0] ?? []).contains(group) }.sorted()
        var leaving: [UserID] = []
        var movedToDefault: [UserID] = []
        for id in removed.sorted() where (memberships[id] ?? []).contains(group) {
            if memberships[id]!.count == 1 {
                if isDefault { continue }
                movedToDefault.append(id)
            }
            leaving.append(id)
        }
        guard !joining.isEmpty || !leaving.isEmpty else { return }
        let now = context.now
        let defaultGroup = movedToDefault.isEmpty ? nil : try await defaultGroupId(db, tenantId: context.tenantId)

        for chunk in Self.chunks(joining) {
            let values = chunk.map { id -> SQLQueryString in "(\(bind: tenantId), \(bind: group.rawValue), \(bind: id.rawValue), \(bind: now))" }
            try await db.raw("INSERT INTO group_members (tenant_id, group_id, user_id, created_at) VALUES " + values.joined(separator: ", ")).run()
        }
        for chunk in Self.chunks(leaving) {
            let binds: [any Encodable & Sendable] = chunk.map(\.rawValue)
            try await db.raw("DELETE FROM group_members WHERE group_id = \(bind: group.rawValue) AND user_id IN (\(binds: binds))").run()
        }
        if let defaultGroup {
            for chunk in Self.chunks(movedToDefault) {
                let values = chunk.map { id -> SQLQueryString in
                    "(\(bind: tenantId), \(bind: defaultGroup.rawValue), \(bind: id.rawValue), \(bind: now))"
                }
                try await db.raw("INSERT INTO group_members (tenant_id, group_id, user_id, created_at) VALUES " + values.joined(separator: ", "))
                    .run()
            }
            try await db.raw(
                "UPDATE directory_groups SET member_count = member_count + \(bind: movedToDefault.count) WHERE id = \(bind: defaultGroup.rawValue)"
            ).run()
        }
        try await db.raw(
            "UPDATE directory_groups SET member_count = member_count + \(bind: joining.count - leaving.count) WHERE id = \(bind: group.rawValue)"
        ).run()
        for chunk in Self.chunks(joining + leaving) {
            let binds: [any Encodable & Sendable] = chunk.map(\.rawValue)
            try await db.raw("UPDATE users SET updated_at = \(bind: now) WHERE id IN (\(binds: binds))").run()
        }

        let moved = Set(movedToDefault)
        var entries: [AuditEntry] = []
        for id in joining {
            let before = (memberships[id] ?? []).sorted()
            entries.append(
                AuditEntry(
                    .userGroupsAdd, target: ("user", id.rawValue), related: ("group", group.rawValue),
                    changes: ["groups": AuditChange(.strings(before.map(\.rawValue)), .strings((before + [group]).sorted().map(\.rawValue)))]))
        }
        for id in leaving {
            let before = (memberships[id] ?? []).sorted()
            var after = before.filter { $0 != group }
            if moved.contains(id), let defaultGroup { after = [defaultGroup] }
            entries.append(
                AuditEntry(
                    .userGroupsRemove, target: ("user", id.rawValue), related: ("group", group.rawValue),
                    changes: ["groups": AuditChange(.strings(before.map(\.rawValue)), .strings(after.map(\.rawValue)))]))
        }
        try await audit(db, entries, context: context)
    }

    /// `ids` in slices of ``bindChunk``.
    static func chunks<Kind>(_ ids: [Identifier<Kind>]) -> [ArraySlice<Identifier<Kind>>] {
        stride(from: 0, to: ids.count, by: bindChunk).map { ids[$0..<min($0 + bindChunk, ids.count)] }
    }
}
