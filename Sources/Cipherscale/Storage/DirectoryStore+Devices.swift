import SQLKit

/// A validated device registration.
public struct NewDevice: Sendable {
    public var userId: String
    public var name: String
    public var hardwareId: String
    public var appVersion: String
    /// The posture JSON object, serialised.
    public var posture: String?
}

extension DirectoryStore {
    /// The device list's columns; `status` is derived from `active` and the last heartbeat.
    func deviceList(onlineSince: Millis) -> ListSQL {
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
                    derived: "CASE WHEN NOT d.active THEN 'Deactivated' WHEN d.last_connection IS NOT NULL AND d.last_connection >= \(since) THEN 'Online' ELSE 'Offline' END",
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
        SELECT \(deviceColumns), u.email AS owner_email, u.first_name AS owner_first_name, u.last_name AS owner_last_name,
        u.last_connection AS owner_last_connection
        """
    private static let deviceWithOwner = deviceWithOwnerColumns + " FROM devices d LEFT JOIN users u ON u.id = d.user_id"

    func loadDevice(_ db: any SQLDatabase, tenantId: String, id: String, lock: Bool = false) async throws -> Device {
        let suffix = lock && pool.kind == .postgres ? " FOR UPDATE OF d" : ""
        guard let row = try await db.raw(
            "\(unsafeRaw: Self.deviceWithOwner) WHERE d.tenant_id = \(bind: tenantId) AND d.id = \(bind: id)\(unsafeRaw: suffix)"
        ).first() else { throw DirectoryError.notFound("No device with this id exists in the tenant.") }
        return try Self.device(row, onlineSince: Timestamps.now() - onlineWindow, withOwner: true)
    }

    /// One page of the tenant's devices with the exact number of matches.
    public func listDevices(tenantId: String, query: ListQuery) async throws -> Page<Device> {
        try await pool.read { db in
            let onlineSince = Timestamps.now() - onlineWindow
            let list = deviceList(onlineSince: onlineSince)
            let conditions = list.conditions(for: query, kind: pool.kind)
            let total = try await db.raw("SELECT COUNT(*) AS n FROM devices d WHERE d.tenant_id = \(bind: tenantId)" + conditions)
                .first()?.decode(column: "n", as: Int.self) ?? 0
            var devices: [Device] = []
            var nextCursor: String?
            if query.limit > 0 {
                // One more row than the page tells whether a next page exists.
                let rows = try await db.raw(
                    "\(unsafeRaw: Self.deviceWithOwnerColumns)\(unsafeRaw: list.sortValueColumns(for: query)) FROM devices d LEFT JOIN users u ON u.id = d.user_id WHERE d.tenant_id = \(bind: tenantId)"
                        + conditions + list.keyset(for: query, kind: pool.kind) + list.orderBy(for: query, kind: pool.kind)
                        + " LIMIT \(bind: query.limit + 1) OFFSET \(bind: query.offset)"
                ).all()
                devices = try rows.prefix(query.limit).map { try Self.device($0, onlineSince: onlineSince, withOwner: true) }
                if rows.count > query.limit, let last = devices.last {
                    nextCursor = try list.cursor(rows[query.limit - 1], id: last.id, query: query, schema: .devices)
                }
            }
            return Page(items: devices, total: total, query: query, nextCursor: nextCursor)
        }
    }

    /// One device with its owner.
    public func device(tenantId: String, id: String) async throws -> Device {
        try await pool.read { db in try await loadDevice(db, tenantId: tenantId, id: id) }
    }

    /// Registers a device for a user: 422 unknown user, 403 inactive user, 409 hardware id taken or
    /// device limit reached. The user's row is locked first, so parallel registrations cannot pass the limit together.
    public func registerDevice(tenantId: String, device: NewDevice) async throws -> Device {
        try await pool.transaction { db in
            let user: UserRow
            do {
                user = try await lockUser(db, tenantId: tenantId, id: device.userId)
            } catch let error as DirectoryError where error.kind == .notFound {
                throw DirectoryError.unknownReference("No user with this id exists in the tenant.", [FieldError("/userId", "unknown user")])
            }
            if user.status == .inactive { throw DirectoryError.forbidden("The user is deactivated and cannot register devices.") }
            if let limit = try await deviceLimit(db, user: user) {
                let count = try await db.raw("SELECT COUNT(*) AS n FROM devices WHERE user_id = \(bind: user.id)").first()!
                    .decode(column: "n", as: Int.self)
                if count >= limit {
                    throw DirectoryError.conflict("The user already has \(count) devices; their limit is \(limit). Delete a device first.")
                }
            }
            if try await db.raw(
                "SELECT id FROM devices WHERE tenant_id = \(bind: tenantId) AND hardware_id = \(bind: device.hardwareId)"
            ).first() != nil {
                throw DirectoryError.conflict("A device with this hardwareId is already registered.", [FieldError("/hardwareId", "already registered")])
            }
            let id = Identifiers.make()
            let now = Timestamps.now()
            do {
                try await db.raw(
                    """
                    INSERT INTO devices (tenant_id, id, user_id, name, hardware_id, app_version, posture, active, created_at, updated_at)
                    VALUES (\(bind: tenantId), \(bind: id), \(bind: user.id), \(bind: device.name), \(bind: device.hardwareId),
                    \(bind: device.appVersion), \(bind: device.posture), \(bind: true), \(bind: now), \(bind: now))
                    """
                ).run()
            } catch where SQLErrors.isUniqueViolation(error) {
                throw DirectoryError.conflict("A device with this hardwareId is already registered.", [FieldError("/hardwareId", "already registered")])
            }
            try await audit(db, tenantId: tenantId, [
                AuditEntry("device.register", target: ("device", id), related: ("user", user.id), changes: [
                    "name": AuditChange(.null, .string(device.name)), "hardwareId": AuditChange(.null, .string(device.hardwareId)),
                    "appVersion": AuditChange(.null, .string(device.appVersion)),
                ])
            ], at: now)
            return try await loadDevice(db, tenantId: tenantId, id: id)
        }
    }

    /// The user's own `maxDevices`, else the largest among their groups, else nil (no limit).
    func deviceLimit(_ db: any SQLDatabase, user: UserRow) async throws -> Int? {
        if let own = user.maxDevices { return own }
        return try await db.raw(
            """
            SELECT MAX(g.max_devices) AS m FROM group_members gm JOIN directory_groups g ON g.id = gm.group_id
            WHERE gm.user_id = \(bind: user.id)
            """
        ).first()?.decode(column: "m", as: Int?.self)
    }

    /// Records a heartbeat: the device's and its user's `lastConnection`, and optional updates. 409 when deactivated.
    public func heartbeat(tenantId: String, id: String, appVersion: String?, posture: String?) async throws -> Device {
        try await pool.transaction { db in
            let device = try await loadDevice(db, tenantId: tenantId, id: id, lock: true)
            guard device.active else { throw DirectoryError.conflict("The device is deactivated.") }
            let now = Timestamps.now()
            var sets: [SQLQueryString] = ["last_connection = \(bind: now)", "updated_at = \(bind: now)"]
            if let appVersion { sets.append("app_version = \(bind: appVersion)") }
            if let posture { sets.append("posture = \(bind: posture)") }
            try await db.raw("UPDATE devices SET " + sets.joined(separator: ", ") + " WHERE id = \(bind: id)").run()
            if let owner = device.userId {
                try await db.raw("UPDATE users SET last_connection = \(bind: now) WHERE id = \(bind: owner)").run()
            }
            // A heartbeat that only says "still here" is telemetry, not a change worth an audit event.
            var entry = AuditEntry("device.update", target: ("device", id))
            if let appVersion { entry.record("appVersion", AuditValue(device.appVersion), .string(appVersion)) }
            if let posture { entry.record("posture", AuditValue(device.posture), .string(posture)) }
            if !entry.changes.isEmpty { try await audit(db, tenantId: tenantId, [entry], at: now) }
            return try await loadDevice(db, tenantId: tenantId, id: id)
        }
    }

    /// Disables a device (idempotent).
    public func deactivateDevice(tenantId: String, id: String) async throws -> Device {
        try await pool.transaction { db in
            let device = try await loadDevice(db, tenantId: tenantId, id: id, lock: true)
            if device.active {
                try await db.raw("UPDATE devices SET active = \(bind: false), updated_at = \(bind: Timestamps.now()) WHERE id = \(bind: id)").run()
                try await audit(db, tenantId: tenantId, [
                    AuditEntry("device.deactivate", target: ("device", id), changes: ["active": AuditChange(.bool(true), .bool(false))])
                ])
            }
            return try await loadDevice(db, tenantId: tenantId, id: id)
        }
    }

    /// Lets a deactivated device connect again: 409 when active already or when its owner is not usable.
    public func reactivateDevice(tenantId: String, id: String) async throws -> Device {
        try await pool.transaction { db in
            let device = try await loadDevice(db, tenantId: tenantId, id: id, lock: true)
            guard !device.active else { throw DirectoryError.conflict("The device is active already.") }
            guard let owner = device.userId else { throw DirectoryError.conflict("The device's owner was deleted.") }
            let user = try await lockUser(db, tenantId: tenantId, id: owner)
            guard user.status != .inactive else { throw DirectoryError.conflict("The device's owner is deactivated; reactivate the user first.") }
            try await db.raw("UPDATE devices SET active = \(bind: true), updated_at = \(bind: Timestamps.now()) WHERE id = \(bind: id)").run()
            try await audit(db, tenantId: tenantId, [
                AuditEntry("device.reactivate", target: ("device", id), changes: ["active": AuditChange(.bool(false), .bool(true))])
            ])
            return try await loadDevice(db, tenantId: tenantId, id: id)
        }
    }

    /// Deletes a device for good.
    public func deleteDevice(tenantId: String, id: String) async throws {
        try await pool.transaction { db in
            let device = try await loadDevice(db, tenantId: tenantId, id: id, lock: true)
            try await db.raw("DELETE FROM devices WHERE id = \(bind: id)").run()
            var entry = AuditEntry("device.delete", target: ("device", id), changes: ["hardwareId": AuditChange(.string(device.hardwareId), .null)])
            if let owner = device.userId { (entry.relatedType, entry.relatedId) = ("user", owner) }
            try await audit(db, tenantId: tenantId, [entry])
        }
    }
}
