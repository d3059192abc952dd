import Foundation
import SQLKit

/// Fills benchmark tenants through the storage layer, in large transactions (the `seed` command).
public struct SQLSeeder: Sendable {
    /// The shared store.
    let store: SQLStore

    /// A seeder over `store`.
    public init(store: SQLStore) {
        self.store = store
    }

    private var pool: DatabasePool { store.pool }

    private static let firstNames = [
        "Ada", "Alan", "Amara", "Ana", "Arjun", "Beatriz", "Ben", "Carla", "Chen", "Chloé", "Daniel", "Dmitri", "Elena", "Emma", "Farah",
        "Felix", "Fatima", "Gabriel", "Grace", "Hana", "Hugo", "Ines", "Isaac", "Jamal", "Jana", "Javier", "Jin", "Julia", "Kai", "Karin",
        "Lars", "Layla", "Leo", "Lina", "Lucas", "Maya", "Mateo", "Mei", "Mia", "Nadia", "Noah", "Nora", "Olga", "Omar", "Priya", "Rafael",
        "Rosa", "Sam", "Sara", "Sofia", "Tariq", "Tomás", "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zoe", "Zoltan", "Åsa",
    ]
    private static let lastNames = [
        "Abara", "Andersen", "Baptiste", "Becker", "Brown", "Castillo", "Chen", "Costa", "Dubois", "Eriksen", "Fernández", "Fischer",
        "García", "Gupta", "Hansen", "Hoffmann", "Ibrahim", "Ivanova", "Jansen", "Johnson", "Kim", "Kowalski", "Larsen", "López", "Martin",
        "Müller", "Nakamura", "Nguyen", "Novak", "O'Brien", "Okafor", "Patel", "Petrov", "Quinn", "Rossi", "Santos", "Schmidt", "Silva",
        "Smith", "Suzuki", "Tanaka", "Taylor", "Usman", "Varga", "Wagner", "Wang", "Weber", "Williams", "Yilmaz", "Zhang",
    ]
    private static let domains = ["acme.example", "globex.example", "initech.example", "umbrella.example", "hooli.example"]

    /// Fills a new tenant with `plan.users` users (plus its owner), `plan.groups` groups with roles,
    /// memberships (1 to 3 groups each, a few groups large), direct roles for 10%, devices for 30%,
    /// last connections for 60% and a mix of statuses. Writes in large transactions; counters are set
    /// at the end. Returns the tenant id. Call ``analyze()`` when done seeding.
    public func seedTenant(name: String, ownerEmail: String, plan: SeedPlan, seed: UInt64, progress: @Sendable (Int) -> Void = { _ in })
        async throws -> TenantID
    {
        try await pool.prepareForBulkLoad()
        let now = SystemClock().now()
        let (tenant, _) = try await SQLTenantRepository(store: store).create(name: name, ownerEmail: ownerEmail, now: now)
        let tenantId = tenant.rawValue
        var random = SeedRandom(seed: seed)
        let roles = try await pool.read { db in try await store.tenantRoles(db, tenantId: tenant) }
        let grantable = roles.values.filter { $0.type != .owner }.sorted { $0.type.rank < $1.type.rank }.map(\.id.rawValue)
        let defaultGroup = try await pool.read { db in try await store.defaultGroupId(db, tenantId: tenant) }.rawValue

        // Groups, each granting one role.
        let start = now - 2 * 365 * 86_400_000
        var groupIds: [String] = []
        try await pool.transaction { db in
            for index in 0..<plan.groups {
                let id = Identifiers.make()
                groupIds.append(id)
                let groupName = String(format: "Team %03d", index + 1)
                try await db.raw(
                    """
                    INSERT INTO directory_groups (tenant_id, id, name, name_key, description, is_default, deleteable, max_devices,
                    is_saml_default, idp_mapping, member_count, created_at, updated_at)
                    VALUES (\(bind: tenantId), \(bind: id), \(bind: groupName), \(bind: groupName.lowercased()), \(bind: "Seeded group \(index + 1)"),
                    \(bind: false), \(bind: true), NULL, \(bind: false), '[]', 0, \(bind: start), \(bind: start))
                    """
                ).run()
                try await db.raw(
                    "INSERT INTO group_roles (tenant_id, group_id, role_id) VALUES (\(bind: tenantId), \(bind: id), \(bind: grantable[index % grantable.count]))"
                ).run()
            }
        }
        let choices = [defaultGroup] + groupIds

        // A big load into SQLite goes faster without the secondary indexes and the trigger that
        // feeds the search index: both are then built once, from all the rows, instead of row by
        // row in random key order. Unique indexes stay (they check the data), and so does
        // everything on PostgreSQL.
        let deferred = pool.kind == .sqlite && plan.users >= plan.deferIndexesFrom ? try await dropSecondaryIndexes() : ([], 0)
        // The role masks' triggers would update each user once per membership and role: a big
        // load switches them off and computes the tenant's masks and counts once afterwards.
        let bulk = plan.users >= plan.deferIndexesFrom
        if bulk { try await setRoleMaskTriggers(on: false) }
        do {
            try await loadUsers(
                tenantId: tenantId, plan: plan, start: start, choices: choices, grantable: grantable, random: &random, progress: progress)
        } catch {
            try? await restoreIndexes(deferred)
            if bulk { try? await setRoleMaskTriggers(on: true) }
            throw error
        }
        try await restoreIndexes(deferred)
        if bulk {
            try await pool.transaction { db in
                for statement in AddRoleMasks.rebuild(tenantId: tenantId) { try await db.raw(SQLQueryString(statement)).run() }
            }
            try await setRoleMaskTriggers(on: true)
        }
        try await pool.transaction { db in
            try await db.raw("UPDATE tenants SET user_count = user_count + \(bind: plan.users) WHERE id = \(bind: tenantId)").run()
            try await db.raw(
                """
                UPDATE directory_groups SET member_count = (SELECT COUNT(*) FROM group_members gm WHERE gm.group_id = directory_groups.id)
                WHERE tenant_id = \(bind: tenantId)
                """
            ).run()
        }
        return tenant
    }

    /// Refreshes the planner's statistics after seeding (once, after all tenants: a full ANALYZE
    /// of a million users takes seconds).
    public func analyze() async throws {
        if pool.kind == .postgres {
            try await pool.read { db in try await db.raw("ANALYZE").run() }
        } else {
            try await pool.transaction { db in try await db.raw("ANALYZE").run() }
        }
    }

    /// Switches the role masks' triggers off or back on (SQLite drops and recreates them).
    private func setRoleMaskTriggers(on: Bool) async throws {
        try await pool.transaction { db in
            switch pool.kind {
            case .sqlite:
                if on {
                    for statement in AddRoleMasks.triggers(.sqlite) { try await db.raw(SQLQueryString(statement)).run() }
                } else {
                    for (_, name) in AddRoleMasks.triggerNames { try await db.raw("DROP TRIGGER \(ident: name)").run() }
                }
            case .postgres:
                for (table, name) in AddRoleMasks.triggerNames {
                    try await db.raw("ALTER TABLE \(ident: table) \(unsafeRaw: on ? "ENABLE" : "DISABLE") TRIGGER \(ident: name)").run()
                }
            }
        }
    }

    /// Drops the non-unique indexes of the tables a seed fills and the search index's insert trigger
    /// (SQLite), and returns their definitions.
    private func dropSecondaryIndexes() async throws -> (definitions: [String], lastRowid: Int) {
        try await pool.transaction { db in
            let lastRowid = try await db.raw("SELECT COALESCE(MAX(rowid), 0) AS n FROM users").first()?.decode(column: "n", as: Int.self) ?? 0
            let rows = try await db.raw(
                """
                SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND (
                    (type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ('users', 'group_members', 'user_roles', 'devices'))
                    OR (type = 'trigger' AND name = 'users_search_insert'))
                """
            ).all()
            var definitions: [String] = []
            for row in rows {
                let name = try row.decode(column: "name", as: String.self)
                definitions.append(try row.decode(column: "sql", as: String.self))
                if try row.decode(column: "type", as: String.self) == "trigger" {
                    try await db.raw("DROP TRIGGER \(ident: name)").run()
                } else {
                    try await db.raw("DROP INDEX \(ident: name)").run()
                }
            }
            return (definitions, lastRowid)
        }
    }

    /// Puts back what ``dropSecondaryIndexes()`` dropped; the users inserted since (those with a
    /// later rowid) enter the search index in one statement before its trigger returns. Seed a
    /// database no server is writing to.
    private func restoreIndexes(_ dropped: (definitions: [String], lastRowid: Int)) async throws {
        let definitions = dropped.definitions
        guard !definitions.isEmpty else { return }
        try await pool.transaction { db in
            for definition in definitions where !definition.hasPrefix("CREATE TRIGGER") {
                try await db.raw(SQLQueryString(definition)).run()
            }
            if let trigger = definitions.first(where: { $0.hasPrefix("CREATE TRIGGER") }) {
                try await db.raw(
                    """
                    INSERT INTO users_search(rowid, email_key, first_name, last_name)
                    SELECT \(unsafeRaw: SearchIndex.rowid(of: "u")), u.email_key, u.first_name, u.last_name FROM users u
                    WHERE u.rowid > \(bind: dropped.lastRowid)
                    """
                ).run()
                try await db.raw(SQLQueryString(trigger)).run()
            }
        }
    }

    /// The names as they appear in emails: without diacritics or apostrophes, lower-cased.
    private static func emailPart(_ name: String) -> String {
        name.folding(options: [.diacriticInsensitive], locale: nil).replacingOccurrences(of: "'", with: "").lowercased()
    }
    private static let firstNamesInEmails = firstNames.map(emailPart)
    private static let lastNamesInEmails = lastNames.map(emailPart)

    /// One chunk of seeded rows, as VALUES tuples for each table.
    private struct SeedChunk: Sendable {
        var users: [SQLQueryString] = []
        var members: [SQLQueryString] = []
        var direct: [SQLQueryString] = []
        var devices: [SQLQueryString] = []
    }

    /// Users `done ..< done + count` of the plan (deterministic for a given generator state).
    private static func seedChunk(
        tenantId: String, plan: SeedPlan, done: Int, count: Int, start: Millis, choices: [String], grantable: [String],
        random: inout SeedRandom
    ) -> SeedChunk {
        var chunk = SeedChunk()
        let now = start + 2 * 365 * 86_400_000
        for offset in 0..<count {
            let number = done + offset
            let id = Identifiers.make()
            let firstIndex = random.below(firstNames.count)
            let lastIndex = random.below(lastNames.count)
            let first = firstNames[firstIndex]
            let last = lastNames[lastIndex]
            let email = "\(firstNamesInEmails[firstIndex]).\(lastNamesInEmails[lastIndex]).\(number)@\(domains[random.below(domains.count)])"
            let roll = random.unit()
            let status = roll < 0.8 ? "active" : roll < 0.95 ? "pending" : "inactive"
            let created = start + Millis(number) * 50
            let lastConnection: Millis? = random.unit() < 0.6 ? now - Millis(random.below(90 * 86_400_000)) : nil
            chunk.users.append(
                "(\(bind: tenantId), \(bind: id), \(bind: email), \(bind: email), \(bind: first), \(bind: last), \(bind: status), \(bind: false), \(bind: status != "pending"), \(bind: lastConnection), \(bind: created), \(bind: created))"
            )
            // 1 to 3 groups; squaring the draw makes the first groups (the Default group among them) large.
            var joined = Set<Int>()
            for _ in 0..<(1 + random.below(3)) {
                let draw = random.unit()
                joined.insert(Int(draw * draw * Double(choices.count)))
            }
            for group in joined.sorted() {
                chunk.members.append("(\(bind: tenantId), \(bind: choices[group]), \(bind: id), \(bind: created))")
            }
            if random.unit() < 0.1 {
                chunk.direct.append("(\(bind: tenantId), \(bind: id), \(bind: grantable[random.below(grantable.count)]), \(bind: created))")
            }
            if plan.devicesPerUser > 0, random.unit() < 0.3 {
                for device in 0..<plan.devicesPerUser {
                    let seen = lastConnection.map { $0 - Millis(random.below(3_600_000)) }
                    chunk.devices.append(
                        "(\(bind: tenantId), \(bind: Identifiers.make()), \(bind: id), \(bind: "\(first)'s device \(device + 1)"), \(bind: "hw-\(tenantId.prefix(8))-\(number)-\(device)"), '1.4.2', \(bind: status != "inactive"), \(bind: seen), \(bind: created), \(bind: created))"
                    )
                }
            }
        }
        return chunk
    }

    /// Writes one chunk in one transaction, 1,000 rows per INSERT.
    private func write(_ chunk: SeedChunk) async throws {
        try await pool.transaction { db in
            func insert(_ head: String, _ rows: [SQLQueryString]) async throws {
                for start in stride(from: 0, to: rows.count, by: 1_000) {
                    let slice = rows[start..<min(start + 1_000, rows.count)]
                    try await db.raw(SQLQueryString(head) + slice.joined(separator: ", ")).run()
                }
            }
            try await insert(
                "INSERT INTO users (tenant_id, id, email, email_key, first_name, last_name, status, is_owner, invitation_accepted, last_connection, created_at, updated_at) VALUES ",
                chunk.users
            )
            try await insert("INSERT INTO group_members (tenant_id, group_id, user_id, created_at) VALUES ", chunk.members)
            try await insert("INSERT INTO user_roles (tenant_id, user_id, role_id, created_at) VALUES ", chunk.direct)
            try await insert(
                "INSERT INTO devices (tenant_id, id, user_id, name, hardware_id, app_version, active, last_connection, created_at, updated_at) VALUES ",
                chunk.devices
            )
        }
    }

    /// Generates and writes the plan's users in chunks of 10,000, generating the next chunk while
    /// the database writes the current one (the two use different cores).
    private func loadUsers(
        tenantId: String, plan: SeedPlan, start: Millis, choices: [String], grantable: [String], random: inout SeedRandom,
        progress: @Sendable (Int) -> Void
    ) async throws {
        let size = 10_000
        var done = 0
        var pending: SeedChunk? = nil
        var pendingCount = 0
        while done < plan.users || pending != nil {
            let count = min(size, plan.users - done - pendingCount)
            if let chunk = pending {
                async let written: Void = write(chunk)
                let next =
                    count > 0
                    ? Self.seedChunk(
                        tenantId: tenantId, plan: plan, done: done + pendingCount, count: count, start: start, choices: choices, grantable: grantable,
                        random: &random)
                    : nil
                try await written
                done += pendingCount
                progress(done)
                pending = next
                pendingCount = next == nil ? 0 : count
            } else {
                pending = Self.seedChunk(
                    tenantId: tenantId, plan: plan, done: done, count: count, start: start, choices: choices, grantable: grantable, random: &random)
                pendingCount = count
            }
        }
    }
}
