import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("Mass assignment: groups")
struct GroupMassAssignmentTests: MassAssignmentTestSupport {
    @Test("creating a group with id, createdAt, tenant, userCount, users, deleteable and isDefault makes an empty, deleteable group of tenant A")
    func createGroup() async throws {
        try await withWorld { world in
            let since = world.clock.now()
            let extra = Self.forbidden(world, status: "active").merging([
                "userCount": 42, "users": [["id": world.a.ownerId]], "deleteable": false, "isDefault": true, "is_default": true,
            ]) { $1 }
            let reply = try await world.request(.post, "/tenants/groups", json: Self.with(["name": "Mass group", "roles": [String]()], extra))
            if Self.accepted(reply, .created, "create group") {
                let group = reply.object
                let id = try #require(group["id"] as? String)
                #expect(id != Self.foreignId && Identifiers.canonical(id) == id)
                Self.expectRecent(group["createdAt"], since: since, "group createdAt")
                #expect(group["userCount"] as? Int == 0)
                #expect((group["users"] as? [Any])?.isEmpty == true)
                #expect(group["deleteable"] as? Bool == true)
                let read = try await world.request(.get, "/tenants/groups/\(id)").object
                #expect(read["createdAt"] as? String == group["createdAt"] as? String)
                #expect(read["userCount"] as? Int == 0)
                #expect(read["deleteable"] as? Bool == true)
                try await Self.expectOnlyInTenantA(world, "/tenants/groups/\(id)")
                // The Default group is still the Default: new users land there, not in this group.
                let user = try await world.createUsers(["lands@example.com"])[0]
                let groups = try await world.request(.get, "/tenants/users/\(user)").object["groups"] as? [[String: Any]] ?? []
                #expect(groups.compactMap { $0["name"] as? String } == ["Default"])
                #expect(try await world.request(.delete, "/tenants/groups/\(id)").status == .noContent)
            } else {
                #expect(try await world.request(.get, "/tenants/groups?limit=0").object["total"] as? Int == 1)
            }
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("PUT group with id, createdAt, tenant, userCount, users and deleteable keeps the group's id, age, members and deletability")
    func updateGroup() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Before")
            let member = try await world.createUsers(["member@example.com"], groups: [group])[0]
            let before = try await world.request(.get, "/tenants/groups/\(group)").object
            let since = world.clock.now()
            let extra = Self.forbidden(world, status: "active").merging([
                "userCount": 0, "users": [[String: Any]](), "deleteable": false, "isDefault": true,
            ]) { $1 }
            let reply = try await world.request(.put, "/tenants/groups/\(group)", json: Self.with(["name": "After", "roles": [String]()], extra))
            let applied = Self.accepted(reply, .ok, "PUT group")
            if applied {
                #expect(reply.object["id"] as? String == group)
                #expect(reply.object["createdAt"] as? String == before["createdAt"] as? String)
                Self.expectRecent(reply.object["updatedAt"], since: since, "group updatedAt")
                #expect(reply.object["name"] as? String == "After")
                #expect(reply.object["userCount"] as? Int == 1)
                #expect(reply.object["deleteable"] as? Bool == true)
            }
            let read = try await world.request(.get, "/tenants/groups/\(group)").object
            #expect(read["name"] as? String == (applied ? "After" : "Before"))
            #expect(read["createdAt"] as? String == before["createdAt"] as? String)
            #expect(read["userCount"] as? Int == 1)
            #expect((read["users"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == [member])
            #expect(read["deleteable"] as? Bool == true)
            try await Self.expectOnlyInTenantA(world, "/tenants/groups/\(group)")

            // The Default group cannot be made deleteable or ordinary through its body either.
            let defaultGroup = try await world.defaultGroupId()
            let defaultRole = try await world.roleId("DEFAULT")
            let defaultBefore = try await world.request(.get, "/tenants/groups/\(defaultGroup)").object
            let put = try await world.request(
                .put, "/tenants/groups/\(defaultGroup)",
                json: Self.with(
                    ["name": "Default", "roles": [defaultRole]], extra.merging(["deleteable": true, "isDefault": false]) { $1 }
                ))
            #expect(put.status.code < 500, "\(put.text)")
            let defaultAfter = try await world.request(.get, "/tenants/groups/\(defaultGroup)").object
            #expect(defaultAfter["deleteable"] as? Bool == false)
            #expect(defaultAfter["createdAt"] as? String == defaultBefore["createdAt"] as? String)
            #expect(defaultAfter["userCount"] as? Int == defaultBefore["userCount"] as? Int)
            try await world.request(.delete, "/tenants/groups/\(defaultGroup)").expectProblem(.conflict)
            try await Self.expectTenantBUntouched(world)
        }
    }
}
