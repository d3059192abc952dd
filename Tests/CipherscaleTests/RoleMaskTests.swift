import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

/// The role masks and per-role counts kept by triggers (008_role_masks) must always say what the
/// roles, memberships and group roles say, whatever path changed them.
@Suite("Role masks and counts")
struct RoleMaskTests {
    /// For every user of both tenants: the mask's roles are the effective roles the API shows, and
    /// each role filter's total and rows are exact.
    func expectConsistent(_ world: TestWorld, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for (tenant, key) in [(world.a.id, world.a.adminKey), (world.b.id, world.b.adminKey)] {
            let roles = try await world.request(.get, "/tenants/roles", auth: .key(key)).array
            let bitOf = Dictionary(
                uniqueKeysWithValues: RoleType.allCases.enumerated().map { ($0.element.rawValue, 1 << $0.offset) })
            let users = try await world.request(.get, "/tenants/users?limit=100", auth: .key(key)).object["data"] as? [[String: Any]] ?? []
            let masks = try await world.pool.read { db in
                try await db.raw("SELECT id, role_mask FROM users WHERE tenant_id = \(bind: tenant)").all().map {
                    (try $0.decode(column: "id", as: String.self), try $0.decode(column: "role_mask", as: Int.self))
                }
            }
            let maskOf = Dictionary(uniqueKeysWithValues: masks)
            var holders: [String: Set<String>] = [:]
            for user in users {
                let id = user["id"] as! String
                let types = Set((user["roles"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String })
                #expect(maskOf[id] == types.reduce(0) { $0 | bitOf[$1]! }, "\(user["email"] ?? id): \(types)", sourceLocation: sourceLocation)
                for type in types { holders[type, default: []].insert(id) }
            }
            for role in roles {
                let type = role["type"] as! String
                let page = try await world.request(.get, "/tenants/users?filter[roles.id]=\(role["id"] as! String)&limit=100", auth: .key(key))
                #expect(page.object["total"] as? Int == holders[type, default: []].count, "\(type)", sourceLocation: sourceLocation)
                let listed = Set((page.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
                #expect(listed == holders[type, default: []], "\(type)", sourceLocation: sourceLocation)
                let others = try await world.request(
                    .get, "/tenants/users?filter[roles.id][ne]=\(role["id"] as! String)&limit=100", auth: .key(key))
                #expect(
                    others.object["total"] as? Int == users.count - holders[type, default: []].count, "ne \(type)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("every way of changing roles, memberships and group roles keeps masks and counts exact")
    func everyPathKeepsThemExact() async throws {
        try await withWorld { world in
            try await expectConsistent(world)
            let support = try await world.roleId("SUPPORT")
            let admin = try await world.roleId("ADMIN")
            let billing = try await world.roleId("BILLING")
            let team = try await world.createGroup("Team", roles: [support])
            let ids = try await world.createUsers(["m1@example.com", "m2@example.com", "m3@example.com"], groups: [team])
            let loners = try await world.createUsers(["l1@example.com", "l2@example.com"])
            try await expectConsistent(world)
            // Direct roles, added and removed (also one held through the group already).
            #expect(
                try await world.request(.patch, "/tenants/users/\(ids[0])/roles", json: ["addedRoles": [admin, support], "removedRoles": []]).status
                    == .ok)
            #expect(
                try await world.request(.patch, "/tenants/users/\(loners[0])/roles", json: ["addedRoles": [billing], "removedRoles": []]).status
                    == .ok)
            try await expectConsistent(world)
            #expect(try await world.request(.delete, "/tenants/roles/\(support)/users/\(ids[0])").status == .noContent)
            try await expectConsistent(world)
            // Joining and leaving.
            #expect(try await world.request(.post, "/tenants/users/\(loners[1])/groups", json: ["groupId": team]).status == .created)
            let left = try await world.request(.delete, "/tenants/users/\(loners[1])/groups/\(try await world.defaultGroupId())")
            #expect(left.status == .noContent, "\(left.text)")
            try await expectConsistent(world)
            // The group's roles replaced: every member changes at once.
            let replaced = try await world.request(.put, "/tenants/groups/\(team)", json: ["name": "Team", "roles": [billing, admin]])
            #expect(replaced.status == .ok, "\(replaced.text)")
            try await expectConsistent(world)
            // A deleted user, and a deleted group (its members fall back to Default).
            #expect(try await world.request(.delete, "/tenants/users/\(ids[2])").status == .noContent)
            #expect(try await world.request(.delete, "/tenants/groups/\(team)").status == .noContent)
            try await expectConsistent(world)
            // Tenant B was never touched by A's changes.
            _ = try await world.request(.post, "/tenants/users", auth: .key(world.b.adminKey), json: [["email": "b1@example.com", "groups": []]])
            try await expectConsistent(world)
        }
    }

    @Test("a rebuild computes the same masks and counts the triggers kept")
    func rebuildAgrees() async throws {
        try await withWorld { world in
            let team = try await world.createGroup("Team", roles: [try await world.roleId("AUDITOR")])
            _ = try await world.createUsers(["r1@example.com", "r2@example.com"], groups: [team])
            let snapshot = {
                try await world.pool.read { db in
                    try await db.raw("SELECT tenant_id, bit, n FROM user_role_counts WHERE n <> 0 ORDER BY tenant_id, bit").all().map {
                        "\(try $0.decode(column: "tenant_id", as: String.self)) \(try $0.decode(column: "bit", as: Int.self)) \(try $0.decode(column: "n", as: Int.self))"
                    }
                }
            }
            let kept = try await snapshot()
            try await world.pool.transaction { db in
                for statement in AddRoleMasks.rebuild(tenantId: world.a.id) { try await db.raw(SQLQueryString(statement)).run() }
            }
            #expect(try await snapshot() == kept)
            try await expectConsistent(world)
        }
    }
}
