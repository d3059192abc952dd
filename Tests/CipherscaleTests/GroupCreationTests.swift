import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("Groups: creation and body rules")
struct GroupCreationTests: GroupTestSupport {
    // MARK: - Create

    @Test("creating a group answers 201 with its roles embedded as Role objects, an empty member list and the defaults")
    func createAnswersTheGroup() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let basic = try await world.roleId("BASIC")
            let reply = try await world.request(
                .post, "/tenants/groups", json: ["name": "Engineering", "description": "Builds things", "roles": [admin, basic]])
            #expect(reply.status == .created, "\(reply.text)")
            #expect(reply.contentType?.hasPrefix("application/json") == true)
            let group = reply.object
            let id = try #require(group["id"] as? String)
            #expect(Identifiers.canonical(id) == id)
            #expect(group["name"] as? String == "Engineering")
            #expect(group["description"] as? String == "Builds things")
            #expect(group["deleteable"] as? Bool == true)
            #expect(group["userCount"] as? Int == 0)
            #expect(group["isSamlDefaultGroup"] as? Bool == false)
            #expect((group["idpMapping"] as? [Any])?.isEmpty == true)
            #expect((group["users"] as? [Any])?.isEmpty == true)
            #expect(group["maxDevices"] == nil)
            #expect(group["createdAt"] is String && group["updatedAt"] is String)

            let roles = try #require(group["roles"] as? [[String: Any]])
            #expect(roles.count == 2)
            #expect(Self.types(roles) == ["ADMIN", "BASIC"])
            #expect(Set(roles.compactMap { $0["id"] as? String }) == [admin, basic])
            for role in roles {
                #expect(role["name"] is String)
                #expect(role["deleteable"] as? Bool == false)
                #expect(role["createdAt"] is String && role["updatedAt"] is String)
            }

            // The next read shows the same group.
            let read = try await world.request(.get, "/tenants/groups/\(id)")
            #expect(read.status == .ok)
            #expect(read.object["name"] as? String == "Engineering")
            #expect(read.object["createdAt"] as? String == group["createdAt"] as? String)
            #expect(Self.types(read.object["roles"]) == ["ADMIN", "BASIC"])
        }
    }

    @Test("optional settings given on create (maxDevices, isSamlDefaultGroup, idpMapping) are answered back")
    func createWithOptionalSettings() async throws {
        try await withWorld { world in
            let reply = try await world.request(
                .post, "/tenants/groups",
                json: [
                    "name": "Contractors", "roles": [String](), "maxDevices": 3, "isSamlDefaultGroup": true,
                    "idpMapping": ["ext-contractors", "ext-temps"],
                ])
            #expect(reply.status == .created, "\(reply.text)")
            #expect(reply.object["maxDevices"] as? Int == 3)
            #expect(reply.object["isSamlDefaultGroup"] as? Bool == true)
            #expect(reply.object["idpMapping"] as? [String] == ["ext-contractors", "ext-temps"])
            #expect((reply.object["roles"] as? [Any])?.isEmpty == true)
            #expect(reply.object["description"] == nil)
        }
    }

    // MARK: - Rules on the body

    @Test("group names are unique case-insensitively: 409 on create and on rename, and nothing changes")
    func namesAreUnique() async throws {
        try await withWorld { world in
            _ = try await world.createGroup("Engineering")
            let sales = try await world.createGroup("Sales")
            try await world.request(.post, "/tenants/groups", json: ["name": "ENGINEERING", "roles": [String]()]).expectProblem(.conflict)
            try await world.request(.post, "/tenants/groups", json: ["name": "default", "roles": [String]()]).expectProblem(.conflict)
            #expect(try await Self.total(world) == 3)

            try await world.request(.put, "/tenants/groups/\(sales)", json: ["name": "engineering", "roles": [String]()]).expectProblem(.conflict)
            let unchanged = try await world.request(.get, "/tenants/groups/\(sales)")
            #expect(unchanged.object["name"] as? String == "Sales")

            // A group does not conflict with itself: changing the case of its own name is fine.
            let recased = try await world.request(.put, "/tenants/groups/\(sales)", json: ["name": "SALES", "roles": [String]()])
            #expect(recased.status == .ok, "\(recased.text)")
            #expect(recased.object["name"] as? String == "SALES")
        }
    }

    @Test("an unknown role id in a group body is 422 naming /roles/0, on create and on replace, and nothing changes")
    func unknownRoleIs422() async throws {
        try await withWorld { world in
            let created = try await world.request(.post, "/tenants/groups", json: ["name": "Ghosts", "roles": [Self.unknownId]])
            created.expectProblem(.unprocessableContent)
            #expect(created.pointers == ["/roles/0"])
            #expect(try await Self.total(world) == 1)

            // Another tenant's role is unknown here too.
            let foreign = try await world.roleId("ADMIN", key: world.b.adminKey)
            let crossTenant = try await world.request(.post, "/tenants/groups", json: ["name": "Ghosts", "roles": [foreign]])
            crossTenant.expectProblem(.unprocessableContent)
            #expect(crossTenant.pointers == ["/roles/0"])

            let support = try await world.roleId("SUPPORT")
            let group = try await world.createGroup("Helpers", roles: [support])
            let replaced = try await world.request(.put, "/tenants/groups/\(group)", json: ["name": "Renamed", "roles": [support, Self.unknownId]])
            replaced.expectProblem(.unprocessableContent)
            #expect(replaced.pointers == ["/roles/1"])
            let read = try await world.request(.get, "/tenants/groups/\(group)")
            #expect(read.object["name"] as? String == "Helpers")
            #expect(Self.types(read.object["roles"]) == ["SUPPORT"])
        }
    }

    @Test("a malformed role id in a group body is 400 naming it")
    func malformedRoleIs400() async throws {
        try await withWorld { world in
            let reply = try await world.request(.post, "/tenants/groups", json: ["name": "Broken", "roles": ["ADMIN"]])
            reply.expectProblem(.badRequest)
            #expect(reply.pointers == ["/roles/0"])
            #expect(try await Self.total(world) == 1)
        }
    }

    @Test("a group cannot grant the OWNER role: 403 on create and on replace, and nothing changes")
    func ownerRoleIsForbidden() async throws {
        try await withWorld { world in
            let owner = try await world.roleId("OWNER")
            try await world.request(.post, "/tenants/groups", json: ["name": "Owners", "roles": [owner]]).expectProblem(.forbidden)
            #expect(try await Self.total(world) == 1)

            let basic = try await world.roleId("BASIC")
            let group = try await world.createGroup("Basics", roles: [basic])
            try await world.request(.put, "/tenants/groups/\(group)", json: ["name": "Basics", "roles": [basic, owner]]).expectProblem(.forbidden)
            let read = try await world.request(.get, "/tenants/groups/\(group)")
            #expect(Self.types(read.object["roles"]) == ["BASIC"])
        }
    }

    @Test("a group body without a name, with an empty name or without roles is 400 naming the field")
    func missingFieldsAre400() async throws {
        try await withWorld { world in
            let noName = try await world.request(.post, "/tenants/groups", json: ["roles": [String]()])
            noName.expectProblem(.badRequest)
            #expect(noName.pointers == ["/name"])

            let emptyName = try await world.request(.post, "/tenants/groups", json: ["name": "", "roles": [String]()])
            emptyName.expectProblem(.badRequest)
            #expect(emptyName.pointers == ["/name"])

            let noRoles = try await world.request(.post, "/tenants/groups", json: ["name": "Rolesless"])
            noRoles.expectProblem(.badRequest)
            #expect(noRoles.pointers == ["/roles"])
            #expect(try await Self.total(world) == 1)

            let group = try await world.createGroup("Kept")
            let putNoName = try await world.request(.put, "/tenants/groups/\(group)", json: ["roles": [String]()])
            putNoName.expectProblem(.badRequest)
            #expect(putNoName.pointers == ["/name"])
            #expect(try await world.request(.get, "/tenants/groups/\(group)").object["name"] as? String == "Kept")
        }
    }
}
