import Foundation
import SQLKit
import Synchronization

/// What the SQL repositories share: the pool, the device online window, the tenants' roles, and the
/// reads and locks several resources need (a user with everything around them, the audit writer).
///
/// Every statement is scoped by tenant id and binds every value. Each repository's changes run in
/// one transaction (``DatabasePool/transaction(_:)``) and check the domain's rules there.
public struct SQLStore: Sendable {
    /// The connections the repositories use.
    public let pool: DatabasePool
    /// How long after its last heartbeat a device still counts as Online.
    public let onlineWindow: Millis

    /// Each tenant's roles, read once: they are the seven system roles made with the tenant, and
    /// nothing changes or deletes them.
    let roleCache = RoleCache()

    /// A store over `pool`.
    public init(pool: DatabasePool, onlineWindow: Millis = 300_000) {
        self.pool = pool
        self.onlineWindow = onlineWindow
    }

    /// True when the database answers a trivial query.
    public func ping() async -> Bool {
        (try? await pool.read { db in try await db.raw("SELECT 1 AS one").all() }) != nil
    }

    /// `FOR UPDATE`-style lock clause on PostgreSQL (SQLite serialises all writers anyway).
    func lockClause(_ clause: String = " FOR UPDATE") -> String {
        pool.kind == .postgres ? clause : ""
    }

    // MARK: - Shared row mapping

    static let userColumns =
        "u.id, u.email, u.first_name, u.last_name, u.image, u.status, u.is_owner, u.max_devices, u.last_connection, u.created_at, u.updated_at, u.external_id"

    /// ``userColumns`` as a `RETURNING` clause names them (SQLite takes no table alias there).
    static let userReturningColumns = userColumns.replacingOccurrences(of: "u.", with: "")

    static let deviceColumns =
        "d.id, d.user_id, d.name, d.hardware_id, d.app_version, d.posture, d.active, d.last_connection, d.created_at, d.updated_at"

    /// A device row; its status is derived with ``DeviceRules/status(active:lastConnection:now:window:)``.
    func device(_ row: any SQLRow, now: Millis, withOwner: Bool = false) throws -> Device {
        let active = try row.decode(column: "active", as: Bool.self)
        let lastConnection = try row.decode(column: "last_connection", as: Millis?.self)
        let userId: UserID? = try row.optionalId("user_id")
        var owner: DeviceOwner?
        if withOwner, let userId, let email = try row.decode(column: "owner_email", as: String?.self) {
            owner = DeviceOwner(
                id: userId, email: email, firstName: try row.decode(column: "owner_first_name", as: String?.self),
                lastName: try row.decode(column: "owner_last_name", as: String?.self),
                lastConnection: try row.decode(column: "owner_last_connection", as: Millis?.self)
            )
        }
        return Device(
            id: try row.id("id"),
            userId: userId,
            name: try row.decode(column: "name", as: String?.self),
            hardwareId: try row.decode(column: "hardware_id", as: String.self),
            appVersion: try row.decode(column: "app_version", as: String?.self),
            posture: try row.decode(column: "posture", as: String?.self),
            active: active,
            lastConnection: lastConnection,
            createdAt: try row.decode(column: "created_at", as: Millis.self),
            updatedAt: try row.decode(column: "updated_at", as: Millis.self),
            status: DeviceRules.status(active: active, lastConnection: lastConnection, now: now, window: onlineWindow),
            owner: owner
        )
    }

    /// The tenant's roles by id.
    func tenantRoles(_ db: any SQLDatabase, tenantId: TenantID) async throws -> [RoleID: Role] {
        if let cached = roleCache.roles(of: tenantId) { return cached }
        let rows = try await db.raw(
            "SELECT id, type, name, description, deleteable, created_at, updated_at FROM roles WHERE tenant_id = \(bind: tenantId.rawValue)"
        ).all()
        var roles: [RoleID: Role] = [:]
        for row in rows {
            let role = try Role(row: row)
            roles[role.id] = role
        }
        // Only a complete set is kept (a tenant being created in an open transaction has fewer).
        if roles.count == RoleType.allCases.count { roleCache.keep(roles, for: tenantId) }
        return roles
    }

    /// Attaches effective roles, groups and devices to user rows in three queries, whatever the page size.
    func hydrate(_ db: any SQLDatabase, tenantId: TenantID, rows: [UserRecord], now: Millis) async throws -> [User] {
        guard !rows.isEmpty else { return [] }
        let tenantId = tenantId.rawValue
        let ids: [any Encodable & Sendable] = rows.map(\.id.rawValue)
        let roles = try await tenantRoles(db, tenantId: TenantID(trusted: tenantId))

        // One query for everything around the users: effective roles (held directly, or granted
        // by any of their groups), groups, and devices. The branches share the devices' columns
        // (groups put their description in `posture` and their sort key in `sort_key`); typed
        // NULLs keep PostgreSQL's UNION happy.
        var roleIds: [UserID: Set<RoleID>] = [:]
        var groups: [UserID: [(key: String, group: GroupSummary)]] = [:]
        var devices: [UserID: [Device]] = [:]
        let none = "CAST(NULL AS TEXT)"
        let noNumber = "CAST(NULL AS BIGINT)"
        let noFlag = "CAST(NULL AS BOOLEAN)"
        for row in try await db.raw(
            """
            SELECT 'd' AS kind, \(unsafeRaw: Self.deviceColumns), \(unsafeRaw: none) AS sort_key FROM devices d
            WHERE d.tenant_id = \(bind: tenantId) AND d.user_id IN (\(binds: ids))
            UNION ALL
            SELECT 'r', ur.role_id, ur.user_id, \(unsafeRaw: none), \(unsafeRaw: none), \(unsafeRaw: none), \(unsafeRaw: none), \(unsafeRaw: noFlag),
            \(unsafeRaw: noNumber), \(unsafeRaw: noNumber), \(unsafeRaw: noNumber), \(unsafeRaw: none)
            FROM user_roles ur WHERE ur.tenant_id = \(bind: tenantId) AND ur.user_id IN (\(binds: ids))
            UNION ALL
            SELECT 'r', gr.role_id, gm.user_id, \(unsafeRaw: none), \(unsafeRaw: none), \(unsafeRaw: none), \(unsafeRaw: none), \(unsafeRaw: noFlag),
            \(unsafeRaw: noNumber), \(unsafeRaw: noNumber), \(unsafeRaw: noNumber), \(unsafeRaw: none)
            FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id
            WHERE gm.tenant_id = \(bind: tenantId) AND gm.user_id IN (\(binds: ids))
            UNION ALL
            SELECT 'g', g.id, gm.user_id, g.name, \(unsafeRaw: none), \(unsafeRaw: none), g.description, \(unsafeRaw: noFlag),
            \(unsafeRaw: noNumber), g.created_at, g.updated_at, g.name_key
            FROM group_members gm JOIN directory_groups g ON g.id = gm.group_id
            WHERE gm.tenant_id = \(bind: tenantId) AND gm.user_id IN (\(binds: ids))
            """
        ).all() {
            switch try row.decode(column: "kind", as: String.self) {
            case "r":
                roleIds[try row.id("user_id"), default: []].insert(try row.id("id"))
            case "g":
                let group = GroupSummary(
                    id: try row.id("id"),
                    name: try row.decode(column: "name", as: String.self),
                    description: try row.decode(column: "posture", as: String?.self),
                    createdAt: try row.decode(column: "created_at", as: Millis.self),
                    updatedAt: try row.decode(column: "updated_at", as: Millis.self)
                )
                groups[try row.id("user_id"), default: []]
                    .append((try row.decode(column: "sort_key", as: String.self), group))
            default:
                let device = try device(row, now: now)
                if let owner = device.userId { devices[owner, default: []].append(device) }
            }
        }

        return rows.map { row in
            // Groups by name (then id), devices oldest first.
            let userGroups = (groups[row.id] ?? []).sorted { ($0.key, $0.group.id) < ($1.key, $1.group.id) }.map(\.group)
            let userDevices = (devices[row.id] ?? []).sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
            let userRoles = RoleRules.sorted((roleIds[row.id] ?? []).compactMap { roles[$0] })
            return User(
                id: row.id, email: row.email, firstName: row.firstName, lastName: row.lastName, image: row.image,
                status: row.status, isOwner: row.isOwner, maxDevices: row.maxDevices, lastConnection: row.lastConnection,
                createdAt: row.createdAt, updatedAt: row.updatedAt,
                roles: userRoles, groups: userGroups, devices: userDevices, externalId: row.externalId
            )
        }
    }

    /// Loads users by id (keeping the order of `ids`), skipping ids that are not in the tenant.
    func loadUsers(_ db: any SQLDatabase, tenantId: TenantID, ids: [UserID], now: Millis) async throws -> [User] {
        guard !ids.isEmpty else { return [] }
        let binds: [any Encodable & Sendable] = ids.map(\.rawValue)
        let rows = try await db.raw(
            "SELECT \(unsafeRaw: Self.userColumns) FROM users u WHERE u.tenant_id = \(bind: tenantId.rawValue) AND u.id IN (\(binds: binds))"
        ).all().map(UserRecord.init(row:))
        let byId = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
        return try await hydrate(db, tenantId: tenantId, rows: ids.compactMap { byId[$0] }, now: now)
    }

    /// Loads one user or throws 404.
    func loadUser(_ db: any SQLDatabase, _ id: UserID, context: OperationContext) async throws -> User {
        guard let user = try await loadUsers(db, tenantId: context.tenantId, ids: [id], now: context.now).first else {
            throw DirectoryError.userNotFound
        }
        return user
    }

    /// Locks the user row for the rest of the transaction (PostgreSQL) and returns it, or throws 404.
    ///
    /// Every change to a user takes this lock first, so concurrent changes to one user are serialised
    /// and rules such as "at least one group" hold. SQLite serialises all writers anyway.
    func lockUser(_ db: any SQLDatabase, _ id: UserID, tenantId: TenantID) async throws -> UserRecord {
        guard
            let row = try await db.raw(
                """
                SELECT \(unsafeRaw: Self.userColumns) FROM users u WHERE u.tenant_id = \(bind: tenantId.rawValue) AND u.id = \(bind: id.rawValue)\(unsafeRaw: lockClause())
                """
            ).first()
        else { throw DirectoryError.userNotFound }
        return try UserRecord(row: row)
    }

    /// Locks a user for a change: 404 when not in the tenant, then `rule` on the locked row, then
    /// `If-Match` against the user's current tag; the change follows in the same transaction.
    func lockUserForChange(
        _ db: any SQLDatabase, _ id: UserID, context: OperationContext, rule: (UserRecord) throws -> Void = { _ in }
    ) async throws -> UserRecord {
        let user = try await lockUser(db, id, tenantId: context.tenantId)
        try rule(user)
        try await checkIfMatch(db, user: id, context: context)
        return user
    }

    /// Marks a user as changed and records, in the audit log, how one of their id lists (direct
    /// roles, groups) went from `before` to `after`.
    /// Returns the user's row as the change leaves it.
    @discardableResult
    func recordListChange<Kind>(
        _ db: any SQLDatabase, user: UserID, action: AuditAction, related: (type: String, id: String)? = nil, field: String,
        before: [Identifier<Kind>], after: [Identifier<Kind>], context: OperationContext
    ) async throws -> UserRecord {
        let record = try await touchUser(db, user, at: context.now)
        let change = AuditChange(.strings(before.map(\.rawValue)), .strings(after.map(\.rawValue)))
        try await audit(db, [AuditEntry(action, target: ("user", user.rawValue), related: related, changes: [field: change])], context: context)
        return record
    }

    /// Marks a user as changed now and returns their row (one statement: the change's answer is
    /// built from it without reading the row again).
    @discardableResult
    func touchUser(_ db: any SQLDatabase, _ id: UserID, at now: Millis) async throws -> UserRecord {
        try await updateUser(db, id, sets: ["updated_at = \(bind: now)"])
    }

    /// Changes a user's columns and returns the row as it now is, or throws 404.
    func updateUser(_ db: any SQLDatabase, _ id: UserID, sets: [SQLQueryString]) async throws -> UserRecord {
        guard
            let row = try await db.raw(
                "UPDATE users SET " + sets.joined(separator: ", ")
                    + " WHERE id = \(bind: id.rawValue) RETURNING \(unsafeRaw: Self.userReturningColumns)"
            ).first()
        else { throw DirectoryError.userNotFound }
        return try UserRecord(row: row)
    }

    /// The user of `record`, with roles, groups and devices.
    func hydrate(_ db: any SQLDatabase, _ record: UserRecord, context: OperationContext) async throws -> User {
        try await hydrate(db, tenantId: context.tenantId, rows: [record], now: context.now)[0]
    }

    /// The tenant's Default group.
    func defaultGroupId(_ db: any SQLDatabase, tenantId: TenantID) async throws -> GroupID {
        guard
            let row = try await db.raw(
                "SELECT id FROM directory_groups WHERE tenant_id = \(bind: tenantId.rawValue) AND is_default = \(bind: true)"
            ).first()
        else { throw DirectoryError.notFound("The tenant has no Default group.") }
        return GroupID(trusted: try row.decode(column: "id", as: String.self))
    }

    /// The ids of the groups a user is in, sorted.
    func memberships(_ db: any SQLDatabase, of user: UserID) async throws -> [GroupID] {
        try await db.raw("SELECT group_id FROM group_members WHERE user_id = \(bind: user.rawValue) ORDER BY group_id").all()
            .map { GroupID(trusted: try $0.decode(column: "group_id", as: String.self)) }
    }

    /// The ids of the roles a user holds directly, sorted.
    func directRoleIds(_ db: any SQLDatabase, of user: UserID) async throws -> [RoleID] {
        try await db.raw("SELECT role_id FROM user_roles WHERE user_id = \(bind: user.rawValue) ORDER BY role_id").all()
            .map { RoleID(trusted: try $0.decode(column: "role_id", as: String.self)) }
    }
}
