import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Seeding a benchmark tenant")
struct SeedTests {
    /// The database's index definitions (SQLite), to check that a seed puts back every index it dropped.
    func indexDefinitions(_ world: TestWorld) async throws -> [String] {
        guard world.pool.kind == .sqlite else { return [] }
        return try await world.pool.read { db in
            try await db.raw("SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY name").all()
                .map { try $0.decode(column: "sql", as: String.self) }
        }
    }

    @Test(
        "seeding writes the planned users with consistent counters, memberships, roles and devices, beside the existing tenants",
        arguments: [false, true]
    )
    func seedIsConsistent(deferIndexes: Bool) async throws {
        try await withWorld { world in
            let indexes = try await indexDefinitions(world)
            let tenantId = try await SQLSeeder(store: world.store).seedTenant(
                name: "Seeded", ownerEmail: "owner@seeded.example",
                plan: SeedPlan(users: 2_500, groups: 8, devicesPerUser: 2, deferIndexesFrom: deferIndexes ? 1 : 100_000), seed: 7
            )
            // A load with deferred indexes (SQLite) ends with exactly the indexes and triggers it began
            // with, and a search index that agrees with the rows (FTS5's own check throws otherwise).
            #expect(try await indexDefinitions(world) == indexes)
            if world.pool.kind == .sqlite {
                try await world.pool.transaction { db in
                    try await db.raw("INSERT INTO users_search(users_search, rank) VALUES ('integrity-check', 1)").run()
                }
            }
            let key = try await world.services.keys.create(tenant: tenantId, readOnly: false).apiKey
            // Search finds exactly the users a scan finds (through the trigram index on SQLite).
            let searched = try await world.request(.get, "/tenants/users?limit=1&search=mart", auth: .key(key)).object["total"] as? Int
            let scanned = try await world.pool.read { db in
                try await db.raw(
                    """
                    SELECT COUNT(*) AS n FROM users WHERE tenant_id = \(bind: tenantId.rawValue) AND (lower(email_key) LIKE '%mart%'
                    OR lower(first_name) LIKE '%mart%' OR lower(last_name) LIKE '%mart%')
                    """
                ).first()!.decode(column: "n", as: Int.self)
            }
            #expect(scanned > 0 && searched == scanned)
            let list = try await world.request(.get, "/tenants/users?limit=1", auth: .key(key))
            #expect(list.object["total"] as? Int == 2_501)
            let counted = try await world.request(.get, "/tenants/users?limit=1&filter[isOwner]=false", auth: .key(key))
            #expect(counted.object["total"] as? Int == 2_500)

            // Every group's userCount is its real number of members, and some groups are large.
            let groups = try await world.request(.get, "/tenants/groups?limit=100", auth: .key(key)).object["data"] as? [[String: Any]] ?? []
            #expect(groups.count == 9)
            var largest = 0
            for group in groups {
                let id = try #require(group["id"] as? String)
                let members = try await world.request(.get, "/tenants/users?limit=1&filter[groups.id]=\(id)", auth: .key(key))
                #expect(members.object["total"] as? Int == group["userCount"] as? Int)
                largest = max(largest, group["userCount"] as? Int ?? 0)
            }
            #expect(largest > 500)

            // Every role's holders (direct or through groups), as the role masks count them, are the
            // users the memberships and roles say (the masks are computed once after a bulk load).
            for role in try await world.request(.get, "/tenants/roles", auth: .key(key)).array {
                let id = try #require(role["id"] as? String)
                let listed = try await world.request(.get, "/tenants/users?limit=1&filter[roles.id]=\(id)", auth: .key(key))
                let holders = try await world.pool.read { db in
                    try await db.raw(
                        """
                        SELECT COUNT(*) AS n FROM (SELECT user_id FROM user_roles WHERE role_id = \(bind: id)
                        UNION SELECT gm.user_id FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id WHERE gr.role_id = \(bind: id)) h
                        """
                    ).first()!.decode(column: "n", as: Int.self)
                }
                #expect(listed.object["total"] as? Int == holders, "\(role["type"] ?? id)")
            }

            let shape = try await world.pool.read { db in
                let row = try await db.raw(
                    """
                    SELECT (SELECT MIN(n) FROM (SELECT COUNT(*) AS n FROM group_members WHERE tenant_id = \(bind: tenantId.rawValue) GROUP BY user_id) a) AS min_groups,
                    (SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM group_members WHERE tenant_id = \(bind: tenantId.rawValue) GROUP BY user_id) b) AS max_groups,
                    (SELECT COUNT(*) FROM user_roles WHERE tenant_id = \(bind: tenantId.rawValue)) AS direct_roles,
                    (SELECT COUNT(*) FROM devices WHERE tenant_id = \(bind: tenantId.rawValue)) AS devices,
                    (SELECT COUNT(DISTINCT status) FROM users WHERE tenant_id = \(bind: tenantId.rawValue)) AS statuses,
                    (SELECT COUNT(*) FROM users WHERE tenant_id = \(bind: tenantId.rawValue) AND last_connection IS NOT NULL) AS connected
                    """
                ).first()!
                return try (
                    row.decode(column: "min_groups", as: Int.self), row.decode(column: "max_groups", as: Int.self),
                    row.decode(column: "direct_roles", as: Int.self), row.decode(column: "devices", as: Int.self),
                    row.decode(column: "statuses", as: Int.self), row.decode(column: "connected", as: Int.self)
                )
            }
            #expect(shape.0 == 1 && shape.1 == 3)
            #expect((150...350).contains(shape.2 - 1))  // about 10% hold a direct role (the owner holds OWNER)
            #expect(shape.3 % 2 == 0 && (1_200...1_800).contains(shape.3))  // about 30% with 2 devices each
            #expect(shape.4 == 3)
            #expect((1_200...1_800).contains(shape.5))  // about 60% have connected

            // Tenant A is untouched.
            #expect(try await world.request(.get, "/tenants/users").object["total"] as? Int == 1)
        }
    }
}
