import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Users")
struct UserTests {
    @Test("a single object creates one pending user in the Default group and answers an object")
    func createSingle() async throws {
        try await withWorld { world in
            let reply = try await world.request(.post, "/tenants/users", json: ["email": "jane.smith@company.com", "groups": []])
            #expect(reply.status == .created)
            let user = reply.object
            #expect(user["email"] as? String == "jane.smith@company.com")
            #expect(user["status"] as? String == "pending")
            #expect(user["isOwner"] as? Bool == false)
            #expect(user.keys.contains("maxDevices") && user["maxDevices"] is NSNull)
            #expect((user["devices"] as? [Any])?.isEmpty == true)
            let groups = user["groups"] as? [[String: Any]] ?? []
            #expect(groups.map { $0["name"] as? String } == ["Default"])
            let roles = user["roles"] as? [[String: Any]] ?? []
            #expect(roles.map { $0["type"] as? String } == ["DEFAULT"])
        }
    }

    @Test("an array creates every user, answers an array in the same order, and writes one invitation and message each")
    func createBatch() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Engineering")
            let emails = (0..<100).map { "user\($0)@batch.example" }
            let reply = try await world.request(.post, "/tenants/users", json: emails.map { ["email": $0, "groups": [group]] })
            #expect(reply.status == .created)
            #expect(reply.array.map { $0["email"] as? String } == emails)
            #expect(reply.array.allSatisfy { ($0["groups"] as? [[String: Any]])?.first?["id"] as? String == group })
            let counts = try await world.pool.read { db in
                (
                    try await db.raw("SELECT COUNT(*) AS n FROM invitations WHERE tenant_id = \(bind: world.a.id) AND status = 'pending'").first()!
                        .decode(column: "n", as: Int.self),
                    try await db.raw("SELECT COUNT(*) AS n FROM outbox_messages WHERE tenant_id = \(bind: world.a.id)").first()!
                        .decode(column: "n", as: Int.self),
                    try await db.raw("SELECT COUNT(*) AS n FROM invitations WHERE token_hash LIKE '%-%' OR length(token_hash) <> 64").first()!
                        .decode(column: "n", as: Int.self)
                )
            }
            #expect(counts.0 == 100 && counts.1 == 100 && counts.2 == 0)
            let list = try await world.request(.get, "/tenants/users?limit=1")
            #expect(list.object["total"] as? Int == 101)
            let group1 = try await world.request(.get, "/tenants/groups/\(group)")
            #expect(group1.object["userCount"] as? Int == 100)
        }
    }

    @Test("a batch with invalid items creates nothing and names every failing item")
    func batchAllOrNothing() async throws {
        try await withWorld { world in
            let reply = try await world.request(
                .post, "/tenants/users",
                json: [
                    ["email": "ok@example.com", "groups": []],
                    ["email": "not-an-email", "groups": []],
                    ["groups": []],
                    ["email": "ok2@example.com", "groups": ["nope"]],
                    ["email": 5, "groups": []],
                    ["email": "OK@example.com", "groups": []],
                    ["email": "ok3@example.com"],
                ])
            reply.expectProblem(.badRequest)
            #expect(Set(reply.pointers) == ["/1/email", "/2/email", "/3/groups/0", "/4/email", "/5/email", "/6/groups"])
            let list = try await world.request(.get, "/tenants/users")
            #expect(list.object["total"] as? Int == 1)
        }
    }

    @Test("an email already in the tenant is 409 whatever its case, and nothing of the batch is created")
    func existingEmailConflicts() async throws {
        try await withWorld { world in
            _ = try await world.createUsers(["taken@example.com"])
            let reply = try await world.request(
                .post, "/tenants/users",
                json: [
                    ["email": "fresh@example.com", "groups": []], ["email": "TAKEN@Example.com", "groups": []],
                ])
            reply.expectProblem(.conflict)
            #expect(reply.pointers == ["/1/email"])
            let list = try await world.request(.get, "/tenants/users?filter[email]=fresh@example.com")
            #expect(list.object["total"] as? Int == 0)
            let owner = try await world.request(.post, "/tenants/users", json: ["email": "OWNER@a.example", "groups": []])
            owner.expectProblem(.conflict)
            #expect(owner.pointers == ["/email"])
        }
    }

    @Test("the same email in another tenant is fine")
    func emailsAreUniquePerTenant() async throws {
        try await withWorld { world in
            _ = try await world.createUsers(["shared@example.com"])
            _ = try await world.createUsers(["shared@example.com"], key: world.b.adminKey)
        }
    }

    @Test("unknown group ids are 422 naming the item and position")
    func unknownGroups() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Real")
            let reply = try await world.request(
                .post, "/tenants/users",
                json: [
                    ["email": "a@example.com", "groups": [group]],
                    ["email": "b@example.com", "groups": [group, "550e8400-e29b-41d4-a716-446655440000"]],
                ])
            reply.expectProblem(.unprocessableContent)
            #expect(reply.pointers == ["/1/groups/1"])
        }
    }

    @Test("an empty array, more than 100 users, or a non-object body is 400")
    func batchLimits() async throws {
        try await withWorld { world in
            try await world.request(.post, "/tenants/users", json: [Any]()).expectProblem(.badRequest)
            let many = (0..<101).map { ["email": "u\($0)@example.com", "groups": [String]()] }
            try await world.request(.post, "/tenants/users", json: many).expectProblem(.badRequest)
            try await world.request(.post, "/tenants/users", json: "jane@example.com").expectProblem(.badRequest)
            let list = try await world.request(.get, "/tenants/users")
            #expect(list.object["total"] as? Int == 1)
        }
    }

    @Test("GET one user answers roles, groups and devices; an unknown id is 404")
    func getUser() async throws {
        try await withWorld { world in
            let reply = try await world.request(.get, "/tenants/users/\(world.a.ownerId)")
            #expect(reply.status == .ok)
            #expect(reply.object["isOwner"] as? Bool == true)
            #expect(reply.object["status"] as? String == "active")
            #expect(Set((reply.object["roles"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }) == ["OWNER", "DEFAULT"])
            try await world.request(.get, "/tenants/users/550e8400-e29b-41d4-a716-446655440000").expectProblem(.notFound)
        }
    }

    @Test("PUT edits names and image, leaves absent fields alone and clears with an empty string")
    func updateUser() async throws {
        try await withWorld { world in
            let id = try await world.createUsers(["edit@example.com"])[0]
            let first = try await world.request(
                .put, "/tenants/users/\(id)", json: ["firstName": "Jane", "lastName": "Smith", "image": "https://img.example/j.png"])
            #expect(first.status == .ok)
            #expect(first.object["firstName"] as? String == "Jane")
            #expect(first.object["image"] as? String == "https://img.example/j.png")
            let second = try await world.request(.put, "/tenants/users/\(id)", json: ["lastName": "Doe", "image": ""])
            #expect(second.object["firstName"] as? String == "Jane")
            #expect(second.object["lastName"] as? String == "Doe")
            #expect(second.object["image"] == nil)
            let stamp1 = try #require(first.object["updatedAt"] as? String)
            let stamp2 = try #require(second.object["updatedAt"] as? String)
            #expect(stamp2 >= stamp1)
            try await world.request(.put, "/tenants/users/\(id)", json: ["firstName": String(repeating: "x", count: 101)]).expectProblem(.badRequest)
            try await world.request(.put, "/tenants/users/\(id)", json: ["firstName": 7]).expectProblem(.badRequest)
        }
    }

    @Test("DELETE removes the user for good and the owner cannot be deleted")
    func deleteUser() async throws {
        try await withWorld { world in
            let id = try await world.createUsers(["gone@example.com"])[0]
            let reply = try await world.request(.delete, "/tenants/users/\(id)")
            #expect(reply.status == .noContent)
            try await world.request(.get, "/tenants/users/\(id)").expectProblem(.notFound)
            try await world.request(.delete, "/tenants/users/\(id)").expectProblem(.notFound)
            try await world.request(.delete, "/tenants/users/\(world.a.ownerId)").expectProblem(.forbidden)
            let list = try await world.request(.get, "/tenants/users")
            #expect(list.object["total"] as? Int == 1)
            let group = try await world.request(.get, "/tenants/groups/\(try await world.defaultGroupId())")
            #expect(group.object["userCount"] as? Int == 1)
            // The email is free again.
            _ = try await world.createUsers(["gone@example.com"])
        }
    }

    @Test("deactivate makes a user inactive; reactivate restores pending or active; the owner cannot be deactivated")
    func deactivateAndReactivate() async throws {
        try await withWorld { world in
            let id = try await world.createUsers(["swing@example.com"])[0]
            let off = try await world.request(.patch, "/tenants/users/\(id)/deactivate")
            #expect(off.status == .ok)
            #expect(off.object["status"] as? String == "inactive")
            let again = try await world.request(.patch, "/tenants/users/\(id)/deactivate")
            #expect(again.status == .ok && again.object["status"] as? String == "inactive")
            let on = try await world.request(.post, "/tenants/users/\(id)/reactivate")
            #expect(on.status == .created)
            #expect(on.object["status"] as? String == "pending")
            try await world.request(.post, "/tenants/users/\(id)/reactivate").expectProblem(.conflict)
            try await world.request(.patch, "/tenants/users/\(world.a.ownerId)/deactivate").expectProblem(.forbidden)

            // A user who had accepted their invitation comes back active.
            try await world.pool.transaction { db in
                try await db.raw("UPDATE users SET status = 'active', invitation_accepted = \(bind: true) WHERE id = \(bind: id)").run()
            }
            _ = try await world.request(.patch, "/tenants/users/\(id)/deactivate")
            let back = try await world.request(.post, "/tenants/users/\(id)/reactivate")
            #expect(back.object["status"] as? String == "active")
        }
    }

    @Test("re-invite is 202 for pending users, supersedes the old invitation, and 409 otherwise")
    func reinvite() async throws {
        try await withWorld { world in
            let id = try await world.createUsers(["invitee@example.com"])[0]
            let reply = try await world.request(.post, "/tenants/users/\(id)/invite")
            #expect(reply.status == .accepted)
            let states = try await world.pool.read { db in
                try await db.raw("SELECT status FROM invitations WHERE user_id = \(bind: id) ORDER BY created_at, id").all()
                    .map { try $0.decode(column: "status", as: String.self) }
            }
            #expect(states == ["superseded", "pending"])
            let messages = try await world.pool.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM outbox_messages WHERE recipient = 'invitee@example.com'").first()!.decode(
                    column: "n", as: Int.self)
            }
            #expect(messages == 2)
            try await world.request(.post, "/tenants/users/\(world.a.ownerId)/invite").expectProblem(.conflict)
            _ = try await world.request(.patch, "/tenants/users/\(id)/deactivate")
            try await world.request(.post, "/tenants/users/\(id)/invite").expectProblem(.conflict)
        }
    }

    @Test("joining a group answers the updated user; joining twice is 409; an unknown group is 422")
    func joinGroup() async throws {
        try await withWorld { world in
            let admins = try await world.createGroup("Admins", roles: [try await world.roleId("ADMIN")])
            let id = try await world.createUsers(["joiner@example.com"])[0]
            let reply = try await world.request(.post, "/tenants/users/\(id)/groups", json: ["groupId": admins])
            #expect(reply.status == .created)
            #expect(Set((reply.object["groups"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }) == ["Admins", "Default"])
            #expect(Set((reply.object["roles"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }) == ["ADMIN", "DEFAULT"])
            try await world.request(.post, "/tenants/users/\(id)/groups", json: ["groupId": admins]).expectProblem(.conflict)
            let unknown = try await world.request(.post, "/tenants/users/\(id)/groups", json: ["groupId": "550e8400-e29b-41d4-a716-446655440000"])
            unknown.expectProblem(.unprocessableContent)
            try await world.request(.post, "/tenants/users/\(id)/groups", json: ["groupId": "bad"]).expectProblem(.badRequest)
            try await world.request(.post, "/tenants/users/\(id)/groups", json: [String: String]()).expectProblem(.badRequest)
        }
    }

    @Test("leaving a group is 204; not a member is 404; the last group is 409")
    func leaveGroup() async throws {
        try await withWorld { world in
            let extra = try await world.createGroup("Extra")
            let defaultGroup = try await world.defaultGroupId()
            let id = try await world.createUsers(["leaver@example.com"])[0]
            _ = try await world.request(.post, "/tenants/users/\(id)/groups", json: ["groupId": extra])
            #expect(try await world.request(.delete, "/tenants/users/\(id)/groups/\(defaultGroup)").status == .noContent)
            try await world.request(.delete, "/tenants/users/\(id)/groups/\(defaultGroup)").expectProblem(.notFound)
            try await world.request(.delete, "/tenants/users/\(id)/groups/\(extra)").expectProblem(.conflict)
            let user = try await world.request(.get, "/tenants/users/\(id)")
            #expect((user.object["groups"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } == ["Extra"])
            #expect((user.object["roles"] as? [[String: Any]] ?? []).isEmpty)
        }
    }
}
