import SQLKit

extension SQLUserRepository {
    /// The attributes SCIM filters and sorts users by.
    static let scimUsers = SQLScimFilter(
        columns: [
            "id": .text("u.id", caseExact: true),
            "externalid": .text("u.external_id", caseExact: true),
            "username": .text("u.email_key", caseExact: false, folded: true, search: "email_key"),
            "emails.value": .text("u.email_key", caseExact: false, folded: true, search: "email_key"),
            "emails.type": .constant(.string("work")),
            "emails.primary": .constant(.bool(true)),
            "name.givenname": .text("u.first_name", caseExact: false, search: "first_name"),
            "name.familyname": .text("u.last_name", caseExact: false, search: "last_name"),
            "active": .flag("u.status <> 'inactive'"),
            "meta.created": .time("u.created_at"),
            "meta.lastmodified": .time("u.updated_at"),
            "meta.resourcetype": .constant(.string("User")),
            "groups.value": .relation(exists: "SELECT 1 FROM group_members gm WHERE gm.user_id = u.id AND ", column: "gm.group_id"),
        ],
        resource: "Users"
    )

    /// One page of the users a SCIM filter matches, with the number of matches.
    public func search(_ query: ScimQuery, context: OperationContext) async throws -> ScimPage<User> {
        let tenantId = context.tenantId.rawValue
        let target = SQLScimFilter.Target(kind: store.pool.kind, tenantId: tenantId)
        let condition: SQLQueryString = try query.filter.map { " AND " + (try Self.scimUsers.condition($0, for: target)) } ?? ""
        let order = SQLScimOrder.clause(query, filter: Self.scimUsers, fallback: "u.created_at", id: "u.id")
        return try await store.pool.read { db in
            let total: Int
            if query.filter == nil {
                total =
                    try await db.raw("SELECT user_count AS n FROM tenants WHERE id = \(bind: tenantId)").first()?.decode(column: "n", as: Int.self)
                    ?? 0
            } else {
                total =
                    try await db.raw("SELECT COUNT(*) AS n FROM users u WHERE u.tenant_id = \(bind: tenantId)" + condition).first()?
                    .decode(column: "n", as: Int.self) ?? 0
            }
            guard query.count > 0, query.startIndex <= total else { return ScimPage(total: total, items: []) }
            let rows = try await db.raw(
                "SELECT \(unsafeRaw: SQLStore.userColumns) FROM users u WHERE u.tenant_id = \(bind: tenantId)" + condition + order
                    + " LIMIT \(bind: query.count) OFFSET \(bind: query.startIndex - 1)"
            ).all().map(UserRecord.init(row:))
            return ScimPage(total: total, items: try await store.hydrate(db, tenantId: context.tenantId, rows: rows, now: context.now))
        }
    }

    /// Creates a provisioned user: usable at once (no invitation, nothing mailed), in the Default group.
    public func provision(_ user: ProvisionedUser, context: OperationContext) async throws -> User {
        let tenantId = context.tenantId.rawValue
        let now = context.now
        return try await store.pool.transaction { db in
            try await checkEmailFree(db, user.email, except: nil, context: context)
            let defaultGroup = try await store.defaultGroupId(db, tenantId: context.tenantId)
            let id = UserID.make()
            let status: UserStatus = user.active ? .active : .inactive
            do {
                try await db.raw(
                    """
                    INSERT INTO users (tenant_id, id, email, email_key, first_name, last_name, status, is_owner, invitation_accepted,
                    external_id, created_at, updated_at)
                    VALUES (\(bind: tenantId), \(bind: id.rawValue), \(bind: user.email), \(bind: user.email.lowercased()), \(bind: user.firstName),
                    \(bind: user.lastName), \(bind: status.rawValue), \(bind: false), \(bind: true), \(bind: user.externalId), \(bind: now), \(bind: now))
                    """
                ).run()
            } catch  where SQLErrors.isUniqueViolation(error) {
                throw Self.emailTaken
            }
            try await db.raw(
                "INSERT INTO group_members (tenant_id, group_id, user_id, created_at) VALUES (\(bind: tenantId), \(bind: defaultGroup.rawValue), \(bind: id.rawValue), \(bind: now))"
            ).run()
            try await db.raw("UPDATE directory_groups SET member_count = member_count + 1 WHERE id = \(bind: defaultGroup.rawValue)").run()
            try await db.raw("UPDATE tenants SET user_count = user_count + 1 WHERE id = \(bind: tenantId)").run()
            var entry = AuditEntry(
                .userCreate, target: ("user", id.rawValue),
                changes: [
                    "email": AuditChange(.null, .string(user.email)), "status": AuditChange(.null, .string(status.rawValue)),
                    "groups": AuditChange(.null, .strings([defaultGroup.rawValue])),
                ])
            entry.record("firstName", .null, AuditValue(user.firstName))
            entry.record("lastName", .null, AuditValue(user.lastName))
            entry.record("externalId", .null, AuditValue(user.externalId))
            try await store.audit(db, [entry], context: context)
            return try await store.loadUser(db, id, context: context)
        }
    }

    /// Brings a user to a provisioned state in one transaction: email, names and external id as one
    /// `user.update`, then deactivation or reactivation as its own audited change.
    public func applyProvisioning(_ id: UserID, _ state: ProvisionedUser, context: OperationContext) async throws -> User {
        let now = context.now
        return try await store.pool.transaction { db in
            let before = try await store.lockUserForChange(db, id, context: context) { user in
                if !state.active { try UserRules.checkCanDeactivate(user) }
            }
            if state.email.lowercased() != before.email.lowercased() {
                try await checkEmailFree(db, state.email, except: id, context: context)
            }
            var entry = AuditEntry(.userUpdate, target: ("user", id.rawValue))
            entry.record("email", .string(before.email), .string(state.email))
            entry.record("firstName", AuditValue(before.firstName), AuditValue(state.firstName))
            entry.record("lastName", AuditValue(before.lastName), AuditValue(state.lastName))
            entry.record("externalId", AuditValue(before.externalId), AuditValue(state.externalId))
            var entries: [AuditEntry] = []
            if !entry.changes.isEmpty {
                do {
                    try await db.raw(
                        """
                        UPDATE users SET email = \(bind: state.email), email_key = \(bind: state.email.lowercased()), first_name = \(bind: state.firstName),
                        last_name = \(bind: state.lastName), external_id = \(bind: state.externalId), updated_at = \(bind: now) WHERE id = \(bind: id.rawValue)
                        """
                    ).run()
                } catch  where SQLErrors.isUniqueViolation(error) {
                    throw Self.emailTaken
                }
                entries.append(entry)
            }
            if !state.active && before.status != .inactive {
                try await db.raw("UPDATE users SET status = 'inactive', updated_at = \(bind: now) WHERE id = \(bind: id.rawValue)").run()
                try await db.raw(
                    """
                    UPDATE devices SET active = \(bind: false), updated_at = \(bind: now)
                    WHERE tenant_id = \(bind: context.tenantId.rawValue) AND user_id = \(bind: id.rawValue) AND active = \(bind: true)
                    """
                ).run()
                entries.append(
                    AuditEntry(
                        .userDeactivate, target: ("user", id.rawValue),
                        changes: ["status": AuditChange(.string(before.status.rawValue), .string("inactive"))]))
            } else if state.active && before.status == .inactive {
                let accepted =
                    try await db.raw("SELECT invitation_accepted FROM users WHERE id = \(bind: id.rawValue)").first()?
                    .decode(column: "invitation_accepted", as: Bool.self) ?? false
                let status = UserRules.reactivatedStatus(invitationAccepted: accepted)
                try await db.raw("UPDATE users SET status = \(bind: status.rawValue), updated_at = \(bind: now) WHERE id = \(bind: id.rawValue)")
                    .run()
                entries.append(
                    AuditEntry(
                        .userReactivate, target: ("user", id.rawValue),
                        changes: ["status": AuditChange(.string("inactive"), .string(status.rawValue))]))
            }
            try await store.audit(db, entries, context: context)
            return try await store.loadUser(db, id, context: context)
        }
    }

    /// The answer when another user of the tenant has the email.
    static let emailTaken = DirectoryError.conflict(
        "A user with this email already exists in the tenant.", [FieldError(.body(field: "email"), "already in use")])

    /// 409 when another user of the tenant has `email` (compared without case).
    private func checkEmailFree(_ db: any SQLDatabase, _ email: String, except id: UserID?, context: OperationContext) async throws {
        let row = try await db.raw(
            "SELECT id FROM users WHERE tenant_id = \(bind: context.tenantId.rawValue) AND email_key = \(bind: email.lowercased())"
        ).first()
        if let row, try row.decode(column: "id", as: String.self) != id?.rawValue { throw Self.emailTaken }
    }
}
