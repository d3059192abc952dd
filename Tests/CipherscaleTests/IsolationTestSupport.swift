import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

/// Helpers shared by the isolation suites (`…IsolationTests`): each suite conforms, so its tests reach them as `Self.…`.
protocol IsolationTestSupport {}

extension IsolationTestSupport {
    func seedA(_ world: TestWorld) async throws -> SeededTenantA {
        let adminRole = try await world.roleId("ADMIN")
        let billingRole = try await world.roleId("BILLING")
        let ownerRole = try await world.roleId("OWNER")
        let defaultGroup = try await world.defaultGroupId()
        let group = try await world.createGroup("A Engineering", roles: [billingRole])
        let grouped = try await world.createUsers(["grouped@a.example"], groups: [group])[0]
        let created = try await world.createUsers(["admin@a.example", "plain@a.example"])
        let patched = try await world.request(
            .patch, "/tenants/users/\(created[0])/roles", json: ["addedRoles": [adminRole], "removedRoles": [String]()])
        #expect(patched.status == .ok, "\(patched.text)")
        let put = try await world.request(.put, "/tenants/users/\(created[1])", json: ["firstName": "Plain", "lastName": "User"])
        #expect(put.status == .ok, "\(put.text)")
        return SeededTenantA(
            grouped: grouped, admin: created[0], plain: created[1], group: group, defaultGroup: defaultGroup,
            adminRole: adminRole, billingRole: billingRole, ownerRole: ownerRole
        )
    }

    /// Canonical text of parsed JSON, so two answers compare equal when their JSON is equal.
    static func canonical(_ json: Any?) -> String {
        guard let json, let data = try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .fragmentsAllowed]) else {
            return "<no JSON>"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Everything tenant A's admin can read (every list, user, user's roles, group, role holders),
    /// plus A's invitations in the database, keyed by path.
    func snapshot(_ world: TestWorld) async throws -> [String: String] {
        var result: [String: String] = [:]
        let users = try await world.request(.get, "/tenants/users?limit=100")
        #expect(users.status == .ok)
        result["/tenants/users?limit=100"] = Self.canonical(users.json)
        let userIds = (users.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(userIds.count == 4)
        let groups = try await world.request(.get, "/tenants/groups?limit=100")
        #expect(groups.status == .ok)
        result["/tenants/groups?limit=100"] = Self.canonical(groups.json)
        let groupIds = (groups.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(groupIds.count == 2)
        let roles = try await world.request(.get, "/tenants/roles")
        #expect(roles.status == .ok)
        result["/tenants/roles"] = Self.canonical(roles.json)
        let roleIds = roles.array.compactMap { $0["id"] as? String }
        #expect(roleIds.count == 7)

        var paths: [String] = ["/tenants/audit-events?limit=200", "/tenants/devices?limit=100"]
        for id in userIds { paths += ["/tenants/users/\(id)", "/tenants/users/\(id)/roles"] }
        for id in groupIds { paths.append("/tenants/groups/\(id)") }
        for id in roleIds { paths += ["/tenants/roles/\(id)", "/tenants/roles/\(id)/users?groups=true"] }
        for path in paths {
            let reply = try await world.request(.get, path)
            #expect(reply.status == .ok, "\(path): \(reply.text)")
            result[path] = Self.canonical(reply.json)
        }
        let invitations = try await world.pool.read { db in
            try await db.raw(
                "SELECT id, user_id, token_hash, status, expires_at FROM invitations WHERE tenant_id = \(bind: world.a.id) ORDER BY id"
            ).all().map { row in
                [
                    try row.decode(column: "id", as: String.self), try row.decode(column: "user_id", as: String.self),
                    try row.decode(column: "token_hash", as: String.self), try row.decode(column: "status", as: String.self),
                    String(try row.decode(column: "expires_at", as: Int64.self)),
                ].joined(separator: " ")
            }
        }
        result["db:invitations"] = invitations.joined(separator: "\n")
        return result
    }

    func expectUnchanged(_ before: [String: String], _ after: [String: String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(after.keys.sorted() == before.keys.sorted(), sourceLocation: sourceLocation)
        for key in before.keys.sorted() {
            #expect(after[key] == before[key], "\(key) changed", sourceLocation: sourceLocation)
        }
    }
}
