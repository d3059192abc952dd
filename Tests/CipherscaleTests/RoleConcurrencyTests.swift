import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Concurrent changes: roles")
struct RoleConcurrencyTests: ConcurrencyTestSupport {
    @Test(
        "PATCH roles calls adding each of the five assignable system roles to each of ten users, all 50 in parallel, lose none; removing them in parallel leaves none"
    )
    func patchRolesStorm() async throws {
        try await withWorld { world in
            var roles: [String: String] = [:]
            for type in Self.assignable { roles[type] = try await world.roleId(type) }
            let users = try await world.createUsers((0..<10).map { "role\($0)@example.com" })
            let pairs = users.flatMap { user in Self.assignable.map { (user, $0) } }
            let roleIds = roles

            let added = try await Self.storm(pairs.count) { index in
                let (user, type) = pairs[index]
                return try await world.request(
                    .patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [roleIds[type]!], "removedRoles": [String]()])
            }
            for (index, reply) in added.enumerated() {
                Self.expectClean(reply, "add \(pairs[index].1)")
                #expect(reply.status == .ok, "add \(pairs[index].1): \(reply.status.code) \(reply.text)")
                let types = (reply.object["roles"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
                #expect(types.contains(pairs[index].1), "the answer shows the role just added: \(types)")
            }
            for user in users {
                #expect(try await Self.directRoles(world, user) == Self.assignable.sorted(), "user \(user)")
            }
            for (type, id) in roles {
                let holders = try await world.request(.get, "/tenants/roles/\(id)/users?limit=100")
                #expect(Set(holders.array.compactMap { $0["id"] as? String }) == Set(users), "\(type) holders")
                #expect(holders.headers[HTTPField.Name("X-Total-Count")!] == "10", "\(type)")
            }

            let removed = try await Self.storm(pairs.count) { index in
                let (user, type) = pairs[index]
                return try await world.request(
                    .patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [String](), "removedRoles": [roleIds[type]!]])
            }
            for (index, reply) in removed.enumerated() {
                Self.expectClean(reply, "remove \(pairs[index].1)")
                #expect(reply.status == .ok, "remove \(pairs[index].1): \(reply.status.code) \(reply.text)")
            }
            for user in users {
                #expect(try await Self.directRoles(world, user).isEmpty, "user \(user)")
                let effective = try await world.request(.get, "/tenants/users/\(user)").object["roles"] as? [[String: Any]] ?? []
                #expect(effective.compactMap { $0["type"] as? String } == ["DEFAULT"])
            }
        }
    }

    @Test("adding a role with PATCH while removing it with DELETE /roles/{id}/users/{userId}, in parallel, ends consistent with the answers")
    func patchAndDeleteRoleTogether() async throws {
        try await withWorld { world in
            let billing = try await world.roleId("BILLING")
            let users = try await world.createUsers((0..<10).map { "flip\($0)@example.com" })
            let replies = try await Self.storm(40) { index in
                let user = users[index / 4]
                return index % 2 == 0
                    ? try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [billing], "removedRoles": [String]()])
                    : try await world.request(.delete, "/tenants/roles/\(billing)/users/\(user)")
            }
            for (index, reply) in replies.enumerated() {
                // Removing a role not held directly is 404 by contract.
                Self.expectClean(reply, "call \(index)", allowed: [404, 409, 412])
            }
            for (position, user) in users.enumerated() {
                let slice = Array(replies[(position * 4)..<(position * 4 + 4)])
                let adds = [slice[0], slice[2]]
                let removals = [slice[1], slice[3]]
                for add in adds {
                    #expect(add.status == .ok, "add: \(add.status.code) \(add.text)")
                    let types = (add.object["roles"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
                    #expect(types.contains("BILLING"), "each add answers the user holding the role: \(types)")
                }
                for removal in removals { #expect([204, 404].contains(removal.status.code), "remove: \(removal.status.code) \(removal.text)") }
                // Adds always succeed, so a user without the role at the end lost it to a successful removal.
                let holds = try await Self.directRoles(world, user) == ["BILLING"]
                if !holds { #expect(removals.contains { $0.status == .noContent }, "\(user) lost BILLING without a removal") }
            }
            let holders = try await world.request(.get, "/tenants/roles/\(billing)/users?limit=100")
            let holderIds = Set(holders.array.compactMap { $0["id"] as? String })
            for user in users {
                #expect(holderIds.contains(user) == (try await Self.directRoles(world, user) == ["BILLING"]))
            }
        }
    }
}
