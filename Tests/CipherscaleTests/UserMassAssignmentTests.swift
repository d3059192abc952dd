import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("Mass assignment: users")
struct UserMassAssignmentTests: MassAssignmentTestSupport {
    @Test(
        "creating one user with id, isOwner, status, createdAt, tenant and roles in the body makes a pending, non-owner user of tenant A with a server id"
    )
    func createOneUser() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let since = world.clock.now()
            let body = Self.with(
                ["email": "mass@example.com", "groups": [String]()],
                Self.forbidden(world, status: "active").merging([
                    "roles": [admin], "lastConnection": Self.ancient, "invitationAccepted": true,
                ]) { $1 })
            let reply = try await world.request(.post, "/tenants/users", json: body)
            if Self.accepted(reply, .created, "create") {
                Self.expectUser(reply.object, id: nil, status: "pending", createdAt: nil, since: since, "create answer")
                #expect(reply.object["email"] as? String == "mass@example.com")
                #expect(Self.roleTypes(reply.object) == ["DEFAULT"])
                #expect(reply.object["lastConnection"] == nil)
                let id = try #require(reply.object["id"] as? String)
                let read = try await world.request(.get, "/tenants/users/\(id)")
                Self.expectUser(read.object, id: id, status: "pending", createdAt: reply.object["createdAt"] as? String, since: since, "read back")
                #expect(Self.roleTypes(read.object) == ["DEFAULT"])
                try await Self.expectOnlyInTenantA(world, "/tenants/users/\(id)")
                let invitation = try await world.request(.get, "/tenants/users/\(id)/invitation")
                #expect(invitation.object["status"] as? String == "pending", "\(invitation.text)")
            } else {
                let found = try await world.request(.get, "/tenants/users?filter[email]=mass@example.com")
                #expect(found.object["total"] as? Int == 0)
            }
            let owners = try await world.request(.get, "/tenants/roles/\(try await world.roleId("OWNER"))/users")
            #expect(owners.array.compactMap { $0["id"] as? String } == [world.a.ownerId])
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("a batch whose items all carry the same client id, isOwner, status, createdAt and tenant makes pending users with distinct server ids")
    func createBatch() async throws {
        try await withWorld { world in
            let since = world.clock.now()
            let extra = Self.forbidden(world, status: "inactive")
            let emails = ["batch1@example.com", "batch2@example.com"]
            let reply = try await world.request(.post, "/tenants/users", json: emails.map { Self.with(["email": $0, "groups": [String]()], extra) })
            if Self.accepted(reply, .created, "batch") {
                let users = reply.array
                #expect(users.compactMap { $0["email"] as? String } == emails)
                #expect(Set(users.compactMap { $0["id"] as? String }).count == 2)
                for (index, user) in users.enumerated() {
                    Self.expectUser(user, id: nil, status: "pending", createdAt: nil, since: since, "batch item \(index)")
                    let id = try #require(user["id"] as? String)
                    let read = try await world.request(.get, "/tenants/users/\(id)")
                    Self.expectUser(
                        read.object, id: id, status: "pending", createdAt: user["createdAt"] as? String, since: since, "batch item \(index) read back"
                    )
                    try await Self.expectOnlyInTenantA(world, "/tenants/users/\(id)")
                }
            } else {
                #expect(try await world.request(.get, "/tenants/users?limit=0").object["total"] as? Int == 1)
            }
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("PUT user with id, isOwner, status, createdAt, tenant, email and roles changes only the profile fields")
    func updateUser() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let id = try await world.createUsers(["profile@example.com"])[0]
            let before = try await world.request(.get, "/tenants/users/\(id)").object
            let since = world.clock.now()
            let body = Self.with(
                ["firstName": "Mallory"],
                Self.forbidden(world, status: "active").merging([
                    "email": "hijack@example.com", "roles": [admin], "groups": [String](), "lastConnection": Self.ancient,
                ]) { $1 })
            let reply = try await world.request(.put, "/tenants/users/\(id)", json: body)
            let applied = Self.accepted(reply, .ok, "PUT user")
            if applied {
                Self.expectUser(reply.object, id: id, status: "pending", createdAt: before["createdAt"] as? String, since: since, "PUT answer")
                #expect(reply.object["firstName"] as? String == "Mallory")
                #expect(reply.object["email"] as? String == "profile@example.com")
                #expect(Self.roleTypes(reply.object) == ["DEFAULT"])
                #expect(reply.object["lastConnection"] == nil)
            }
            let read = try await world.request(.get, "/tenants/users/\(id)").object
            #expect(read["id"] as? String == id)
            #expect(read["isOwner"] as? Bool == false)
            #expect(read["status"] as? String == "pending")
            #expect(read["createdAt"] as? String == before["createdAt"] as? String)
            #expect(read["email"] as? String == "profile@example.com")
            #expect(read["firstName"] as? String == (applied ? "Mallory" : nil))
            #expect(Self.roleTypes(read) == ["DEFAULT"])
            try await Self.expectOnlyInTenantA(world, "/tenants/users/\(id)")
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("PUT on the owner with isOwner false and status inactive leaves the owner active and the owner")
    func updateOwner() async throws {
        try await withWorld { world in
            let owner = world.a.ownerId
            let before = try await world.request(.get, "/tenants/users/\(owner)").object
            let since = world.clock.now()
            var extra = Self.forbidden(world, status: "inactive")
            extra["isOwner"] = false
            extra["is_owner"] = false
            extra["owner"] = false
            let reply = try await world.request(.put, "/tenants/users/\(owner)", json: Self.with(["lastName": "Still in charge"], extra))
            if Self.accepted(reply, .ok, "PUT owner") {
                Self.expectUser(
                    reply.object, id: owner, status: "active", createdAt: before["createdAt"] as? String, since: since, isOwner: true,
                    "PUT owner answer")
            }
            let read = try await world.request(.get, "/tenants/users/\(owner)").object
            #expect(read["isOwner"] as? Bool == true)
            #expect(read["status"] as? String == "active")
            #expect(read["createdAt"] as? String == before["createdAt"] as? String)
            #expect(Self.roleTypes(read) == ["OWNER", "DEFAULT"])
            // Still the owner by every rule: it cannot be deleted.
            try await world.request(.delete, "/tenants/users/\(owner)").expectProblem(.forbidden)
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("PATCH roles with id, isOwner, status, createdAt and tenant in the body changes only the roles")
    func updateRoles() async throws {
        try await withWorld { world in
            let billing = try await world.roleId("BILLING")
            let id = try await world.createUsers(["roles@example.com"])[0]
            let before = try await world.request(.get, "/tenants/users/\(id)").object
            let since = world.clock.now()
            let body = Self.with(["addedRoles": [billing], "removedRoles": [String]()], Self.forbidden(world, status: "active"))
            let reply = try await world.request(.patch, "/tenants/users/\(id)/roles", json: body)
            let applied = Self.accepted(reply, .ok, "PATCH roles")
            if applied {
                Self.expectUser(reply.object, id: id, status: "pending", createdAt: before["createdAt"] as? String, since: since, "PATCH answer")
                #expect(Self.roleTypes(reply.object) == ["BILLING", "DEFAULT"])
            }
            let read = try await world.request(.get, "/tenants/users/\(id)").object
            #expect(read["isOwner"] as? Bool == false)
            #expect(read["status"] as? String == "pending")
            #expect(read["createdAt"] as? String == before["createdAt"] as? String)
            #expect(Self.roleTypes(read) == (applied ? ["BILLING", "DEFAULT"] : ["DEFAULT"]))
            try await Self.expectOnlyInTenantA(world, "/tenants/users/\(id)")
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("joining a group with id, userId, isOwner, status, createdAt and tenant in the body adds only the path's user")
    func joinGroup() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Joinable")
            let ids = try await world.createUsers(["joiner@example.com", "other@example.com"])
            let before = try await world.request(.get, "/tenants/users/\(ids[0])").object
            let since = world.clock.now()
            var extra = Self.forbidden(world, status: "active")
            extra["userId"] = ids[1]
            extra["user_id"] = ids[1]
            let reply = try await world.request(.post, "/tenants/users/\(ids[0])/groups", json: Self.with(["groupId": group], extra))
            let applied = Self.accepted(reply, .created, "join")
            if applied {
                Self.expectUser(reply.object, id: ids[0], status: "pending", createdAt: before["createdAt"] as? String, since: since, "join answer")
            }
            let members = try await world.request(.get, "/tenants/groups/\(group)").object
            #expect((members["users"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == (applied ? [ids[0]] : []))
            #expect(members["userCount"] as? Int == (applied ? 1 : 0))
            let read = try await world.request(.get, "/tenants/users/\(ids[0])").object
            #expect(read["isOwner"] as? Bool == false)
            #expect(read["status"] as? String == "pending")
            #expect(read["createdAt"] as? String == before["createdAt"] as? String)
            try await Self.expectTenantBUntouched(world)
        }
    }
}
