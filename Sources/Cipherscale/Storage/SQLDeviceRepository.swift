import SQLKit

/// Devices in SQL. Changes lock the device (and its owner where a rule depends on them) first.
public struct SQLDeviceRepository: DeviceRepository {
    /// The shared store.
    let store: SQLStore

    /// A repository over `store`.
    public init(store: SQLStore) {
        self.store = store
    }

    private var pool: DatabasePool { store.pool }

    /// The device list's columns; `status` is derived from `active` and the last heartbeat.
    static func deviceList(onlineSince: Millis) -> ListSQL {
        let since = String(onlineSince)
        // Never NULL (a device that never reported is simply not online), so NOT (...) works for ne and nin.
        let online = "(d.active AND d.last_connection IS NOT NULL AND d.last_connection >= \(since))"
        let offline = "(d.active AND (d.last_connection IS NULL OR d.last_connection < \(since)))"
        return ListSQL(
            columns: [
                "id": ListColumn("d.id"),
                "name": ListColumn("d.name", nullable: true),
                // Ordered by name: Deactivated, Offline, Online (the names sort that way as text too,
                // so a cursor holds the name).
                "status": ListColumn(
                    derived:
                        "CASE WHEN NOT d.active THEN 'Deactivated' WHEN d.last_connection IS NOT NULL AND d.last_connection >= \(since) THEN 'Online' ELSE 'Offline' END",
                    predicate: { value in
                        switch value {
                        case .text(DeviceStatus.online.rawValue): SQLQueryString(online)
                        case .text(DeviceStatus.offline.rawValue): SQLQueryString(offline)
                        default: SQLQueryString("(NOT d.active)")
                        }
                    }
                ),
                "active": ListColumn("d.active"),
                "hardwareId": ListColumn("d.hardware_id"),
                "appVersion": ListColumn("d.app_version", nullable: true),
                "user.id": ListColumn("d.user_id", nullable: true),
                "createdAt": ListColumn("d.created_at"),
                "updatedAt": ListColumn("d.updated_at"),
                "lastConnection": ListColumn("d.last_connection", nullable: true),
            ],
            searchColumns: ["d.name", "d.hardware_id"],
            idColumn: "d.id"
        )
    }

    private static let deviceWithOwnerColumns = """
        \(SQLStore.deviceColumns), u.email AS owner_email, u.first_name AS owner_first_name, u.last_name AS owner_last_name,
        u.last_connection AS owner_last_connection
        """
    private static let deviceWithOwner = "SELECT " + deviceWithOwnerColumns + " FROM " + deviceTables
    private static let deviceTables = "devices d LEFT JOIN users u ON u.id = d.user_id"

    /// Reads one device with its owner (locked for the transaction with `lock`), or throws 404.
    private func loadDevice(_ db: any SQLDatabase, _ id: DeviceID, context: OperationContext, lock: Bool = false) async throws -> Device {
        let suffix = lock ? store.lockClause(" FOR UPDATE OF d") : ""
        guard
            let row = try await db.raw(
                "\(unsafeRaw: Self.deviceWithOwner) WHERE d.tenant_id = \(bind: context.tenantId.rawValue) AND d.id = \(bind: id.rawValue)\(unsafeRaw: suffix)"
            ).first()
        else { throw DirectoryError.notFound("No device with this id exists in the tenant.") }
        return try store.device(row, now: context.now, withOwner: true)
    }

    /// One page of the tenant's devices with the exact number of matches.
    public func list(_ query: ListQuery, context: OperationContext) async throws -> Page<Device> {
        try await pool.read { db in
            let since = context.now - store.onlineWindow
            let list = Self.deviceList(onlineSince: since)
            return try await ListPager(list: list, schema: .devices, kind: pool.kind).page(
                db, query: query, columns: Self.deviceWithOwnerColumns, from: Self.deviceTables, countFrom: "devices d",
                scope: "d.tenant_id = \(bind: context.tenantId.rawValue)",
                total: try await statusTotal(db, query: query, tenantId: context.tenantId.rawValue, onlineSince: since),
                decode: { try store.device($0, now: context.now, withOwner: true) }, id: \.id.rawValue
            )
        }
    }

    /// The exact total of a list filtered by one status and nothing else, from the counters of
    /// 009_device_counts (Offline: active devices less the online ones); nil for other lists.
    private func statusTotal(_ db: any SQLDatabase, query: ListQuery, tenantId: String, onlineSince: Millis) async throws -> Int? {
        guard query.search == nil, query.filters.count == 1, let filter = query.filters.first, filter.field == "status",
            filter.op == .eq || (filter.op == .in && filter.values.count == 1), case .text(let status) = filter.values[0]
        else { return nil }
        func counter(active: Bool) async throws -> Int {
            try await db.raw("SELECT n FROM device_counts WHERE tenant_id = \(bind: tenantId) AND active = \(bind: active)").first()?
                .decode(column: "n", as: Int.self) ?? 0
        }
        func online() async throws -> Int {
            try await db.raw(
                """
                SELECT COUNT(*) AS n FROM devices d WHERE d.tenant_id = \(bind: tenantId) AND d.active = \(bind: true)
                AND d.last_connection >= \(bind: onlineSince)
                """
            ).first()?.decode(column: "n", as: Int.self) ?? 0
        }
        switch status {
        case DeviceStatus.deactivated.rawValue: return try await counter(active: false)
        case DeviceStatus.online.rawValue: return try await online()
        case DeviceStatus.offline.rawValue: return try await counter(active: true) - online()
        default: return nil
        }
    }

    /// One device with its owner.
    public func device(_ id: DeviceID, context: OperationContext) async throws -> Device {
        try await pool.read { db in try await loadDevice(db, id, context: context) }
    }

    /// Registers a device for a user: 422 unknown user, 403 inactive user, 409 hardware id taken or
    /// device limit reached. The user's row is locked first, so parallel registrations cannot pass the limit together.
    public func register(_ device: NewDevice, context: OperationContext) async throws -> Device {
        try await pool.transaction { db in
            let user: UserRecord
            do {
                user = try await store.lockUser(db, device.userId, tenantId: context.tenantId)
            } catch let error as DirectoryError where error.kind == .notFound {
                throw DirectoryError.unknownReference(
                    "No user with this id exists in the tenant.", [FieldError(.body(field: "userId"), "unknown user")]
                )
            }
            let groupLimit = try await db.raw(
                """
                SELECT MAX(g.max_devices) AS m FROM group_members gm JOIN directory_groups g ON g.id = gm.group_id
                WHERE gm.user_id = \(bind: user.id.rawValue)
                """
            ).first()?.decode(column: "m", as: Int?.self)
            let count =
                try await db.raw("SELECT COUNT(*) AS n FROM devices WHERE user_id = \(bind: user.id.rawValue)").first()?
                .decode(column: "n", as: Int.self) ?? 0
            try DeviceRules.checkCanRegister(owner: user, devices: count, limit: DeviceRules.limit(own: user.maxDevices, largestOfGroups: groupLimit))
            if try await db.raw(
                "SELECT id FROM devices WHERE tenant_id = \(bind: context.tenantId.rawValue) AND hardware_id = \(bind: device.hardwareId)"
            ).first() != nil {
                throw DeviceRules.hardwareIdTaken
            }
            let id = DeviceID.make()
            let now = context.now
            do {
                try await db.raw(
                    """
                    INSERT INTO devices (tenant_id, id, user_id, name, hardware_id, app_version, posture, active, created_at, updated_at)
                    VALUES (\(bind: context.tenantId.rawValue), \(bind: id.rawValue), \(bind: user.id.rawValue), \(bind: device.name),
                    \(bind: device.hardwareId), \(bind: device.appVersion), \(bind: device.posture), \(bind: true), \(bind: now), \(bind: now))
                    """
                ).run()
            } catch  where SQLErrors.isUniqueViolation(error) {
                throw DeviceRules.hardwareIdTaken
            }
            try await store.audit(
                db,
                [
                    AuditEntry(
                        .deviceRegister, target: ("device", id.rawValue), related: ("user", user.id.rawValue),
                        changes: [
                            "name": AuditChange(.null, .string(device.name)), "hardwareId": AuditChange(.null, .string(device.hardwareId)),
                            "appVersion": AuditChange(.null, .string(device.appVersion)),
                        ])
                ], context: context)
            return try await loadDevice(db, id, context: context)
        }
    }

    /// Records a heartbeat: the device's and its user's `lastConnection`, and optional updates. 409 when deactivated.
    public func heartbeat(_ id: DeviceID, appVersion: String?, posture: String?, context: OperationContext) async throws -> Device {
        try await pool.transaction { db in
            let device = try await loadDevice(db, id, context: context, lock: true)
            try DeviceRules.checkCanHeartbeat(device)
            let now = context.now
            var sets: [SQLQueryString] = ["last_connection = \(bind: now)", "updated_at = \(bind: now)"]
            if let appVersion { sets.append("app_version = \(bind: appVersion)") }
            if let posture { sets.append("posture = \(bind: posture)") }
            try await db.raw("UPDATE devices SET " + sets.joined(separator: ", ") + " WHERE id = \(bind: id.rawValue)").run()
            if let owner = device.userId {
                try await db.raw("UPDATE users SET last_connection = \(bind: now) WHERE id = \(bind: owner.rawValue)").run()
            }
            // A heartbeat that only says "still here" is telemetry, not a change worth an audit event.
            var entry = AuditEntry(.deviceUpdate, target: ("device", id.rawValue))
            if let appVersion { entry.record("appVersion", AuditValue(device.appVersion), .string(appVersion)) }
            if let posture { entry.record("posture", AuditValue(device.posture), .string(posture)) }
            if !entry.changes.isEmpty { try await store.audit(db, [entry], context: context) }
            return try await loadDevice(db, id, context: context)
        }
    }

    /// Disables a device (idempotent).
    public func deactivate(_ id: DeviceID, context: OperationContext) async throws -> Device {
        try await pool.transaction { db in
            let device = try await loadDevice(db, id, context: context, lock: true)
            if device.active {
                try await db.raw("UPDATE devices SET active = \(bind: false), updated_at = \(bind: context.now) WHERE id = \(bind: id.rawValue)")
                    .run()
                try await store.audit(
                    db,
                    [
                        AuditEntry(.deviceDeactivate, target: ("device", id.rawValue), changes: ["active": AuditChange(.bool(true), .bool(false))])
                    ], context: context)
            }
            return try await loadDevice(db, id, context: context)
        }
    }

    /// Lets a deactivated device connect again: 409 when active already or when its owner is not usable.
    public func reactivate(_ id: DeviceID, context: OperationContext) async throws -> Device {
        try await pool.transaction { db in
            let device = try await loadDevice(db, id, context: context, lock: true)
            var owner: UserRecord?
            if !device.active, let userId = device.userId {
                owner = try await store.lockUser(db, userId, tenantId: context.tenantId)
            }
            try DeviceRules.checkCanReactivate(device, owner: owner)
            try await db.raw("UPDATE devices SET active = \(bind: true), updated_at = \(bind: context.now) WHERE id = \(bind: id.rawValue)").run()
            try await store.audit(
                db,
                [
                    AuditEntry(.deviceReactivate, target: ("device", id.rawValue), changes: ["active": AuditChange(.bool(false), .bool(true))])
                ], context: context)
            return try await loadDevice(db, id, context: context)
        }
    }

    /// Deletes a device for good.
    public func delete(_ id: DeviceID, context: OperationContext) async throws {
        try await pool.transaction { db in
            let device = try await loadDevice(db, id, context: context, lock: true)
            try await db.raw("DELETE FROM devices WHERE id = \(bind: id.rawValue)").run()
            var entry = AuditEntry(
                .deviceDelete, target: ("device", id.rawValue), changes: ["hardwareId": AuditChange(.string(device.hardwareId), .null)]
            )
            if let owner = device.userId { (entry.relatedType, entry.relatedId) = ("user", owner.rawValue) }
            try await store.audit(db, [entry], context: context)
        }
    }
}
