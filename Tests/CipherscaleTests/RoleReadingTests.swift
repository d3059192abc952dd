import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("Roles: reading roles and their holders")
struct RoleReadingTests: RoleTestSupport {
    static let systemTypes: Set<String> = ["OWNER", "ADMIN", "DEFAULT", "BASIC", "BILLING", "AUDITOR", "SUPPORT"]

    /// The `X-Total-Count` header as a number.
    static func totalCount(_ reply: Reply) -> Int? {
        reply.headers[HTTPField.Name("X-Total-Count")!].flatMap { Int($0) }
    }

    // MARK: - Reading roles

    @Test("the role list is a plain array of the seven system roles, none deleteable, with millisecond ISO-8601 timestamps")
    func listSystemRoles() async throws {
        try await withWorld { world in
            let reply = try await world.request(.get, "/tenants/roles")
            #expect(reply.status == .ok)
            #expect(reply.contentType?.hasPrefix("application/json") == true)
            let roles = try #require(reply.json as? [[String: Any]], "a plain array: \(reply.text)")
            #expect(roles.count == 7)
            #expect(Self.types(roles) == Self.systemTypes)
            let stamp = #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/#
            for role in roles {
                let type = role["type"] as? String ?? "?"
                #expect(role["deleteable"] as? Bool == false, "\(type)")
                let id = try #require(role["id"] as? String)
                #expect(Identifiers.canonical(id) == id, "\(type)")
                #expect((role["name"] as? String)?.isEmpty == false, "\(type)")
                let createdAt = try #require(role["createdAt"] as? String)
                let updatedAt = try #require(role["updatedAt"] as? String)
                #expect(createdAt.wholeMatch(of: stamp) != nil, "\(type): \(createdAt)")
                #expect(updatedAt.wholeMatch(of: stamp) != nil, "\(type): \(updatedAt)")
            }
            // Each tenant has its own seven roles.
            let other = try await world.request(.get, "/tenants/roles", auth: .key(world.b.adminKey)).array
            #expect(Set(other.compactMap { $0["id"] as? String }).isDisjoint(with: roles.compactMap { $0["id"] as? String }))
        }
    }

    @Test("GET one role answers the same role the list shows; an unknown id is 404 and a malformed id is 400")
    func getOneRole() async throws {
        try await withWorld { world in
            let listed = try #require(try await world.request(.get, "/tenants/roles").array.first { $0["type"] as? String == "AUDITOR" })
            let id = try #require(listed["id"] as? String)
            let reply = try await world.request(.get, "/tenants/roles/\(id)")
            #expect(reply.status == .ok)
            #expect(reply.object["id"] as? String == id)
            #expect(reply.object["type"] as? String == "AUDITOR")
            #expect(reply.object["name"] as? String == listed["name"] as? String)
            #expect(reply.object["createdAt"] as? String == listed["createdAt"] as? String)
            #expect(reply.object["deleteable"] as? Bool == false)

            try await world.request(.get, "/tenants/roles/\(Self.unknownId)").expectProblem(.notFound)
            try await world.request(.get, "/tenants/roles/ADMIN").expectProblem(.badRequest)
            let foreign = try await world.roleId("AUDITOR", key: world.b.adminKey)
            try await world.request(.get, "/tenants/roles/\(foreign)").expectProblem(.notFound)
        }
    }

    // MARK: - Holders of a role

    @Test("a role's holders are its direct holders only, unless groups=true adds those who hold it through a group, each once")
    func holdersDirectAndThroughGroups() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let admins = try await world.createGroup("Admins", roles: [admin])
            let directly = try await world.createUsers(["direct@example.com"])[0]
            _ = try await world.createUsers(["grouped@example.com"], groups: [admins])
            _ = try await world.createUsers(["bystander@example.com"])
            try await Self.patchRoles(world, directly, add: [admin])

            let direct = try await world.request(.get, "/tenants/roles/\(admin)/users")
            #expect(direct.status == .ok)
            #expect(Self.emails(direct) == ["direct@example.com"])
            #expect(Self.totalCount(direct) == 1)
            // The answer is made of User objects.
            let user = try #require(direct.array.first)
            #expect(user["id"] as? String == directly)
            #expect(user["status"] as? String == "pending")
            #expect(Self.types(user["roles"]) == ["ADMIN", "DEFAULT"])
            #expect(user["groups"] is [Any])

            let withGroups = try await world.request(.get, "/tenants/roles/\(admin)/users?groups=true")
            #expect(withGroups.status == .ok)
            #expect(Self.emails(withGroups) == ["direct@example.com", "grouped@example.com"])
            #expect(Self.totalCount(withGroups) == 2)

            // Holding the role both ways still lists the user once.
            let joined = try await world.request(.post, "/tenants/users/\(directly)/groups", json: ["groupId": admins])
            #expect(joined.status == .created)
            let both = try await world.request(.get, "/tenants/roles/\(admin)/users?groups=true")
            #expect(Self.emails(both) == ["direct@example.com", "grouped@example.com"])
            #expect(Self.totalCount(both) == 2)

            let explicitFalse = try await world.request(.get, "/tenants/roles/\(admin)/users?groups=false")
            #expect(Self.emails(explicitFalse) == ["direct@example.com"])
        }
    }

    @Test("the DEFAULT role is held through the Default group, so its holders appear only with groups=true; OWNER is held by the owner")
    func defaultRoleThroughDefaultGroup() async throws {
        try await withWorld { world in
            _ = try await world.createUsers(["one@example.com", "two@example.com"])
            let defaultRole = try await world.roleId("DEFAULT")

            let direct = try await world.request(.get, "/tenants/roles/\(defaultRole)/users")
            #expect(direct.status == .ok)
            #expect(direct.json as? [Any] != nil, "a plain array: \(direct.text)")
            #expect(direct.array.isEmpty)
            #expect(Self.totalCount(direct) == 0)

            let withGroups = try await world.request(.get, "/tenants/roles/\(defaultRole)/users?groups=true")
            #expect(Self.emails(withGroups) == ["owner@a.example", "one@example.com", "two@example.com"])
            #expect(Self.totalCount(withGroups) == 3)

            let owners = try await world.request(.get, "/tenants/roles/\(try await world.roleId("OWNER"))/users")
            #expect(owners.array.map { $0["id"] as? String } == [world.a.ownerId])
            #expect(owners.array.first?["isOwner"] as? Bool == true)
            #expect(Self.totalCount(owners) == 1)
        }
    }

    @Test("limit and offset read a role's holders in chunks while X-Total-Count stays the number of all holders")
    func holdersInChunks() async throws {
        try await withWorld { world in
            let emails = (1...5).map { "holder\($0)@example.com" }
            _ = try await world.createUsers(emails)
            let role = try await world.roleId("DEFAULT")
            let everyone = ["owner@a.example"] + emails
            let base = "/tenants/roles/\(role)/users?groups=true"

            var seen: [String] = []
            for offset in stride(from: 0, to: 6, by: 2) {
                let chunk = try await world.request(.get, "\(base)&limit=2&offset=\(offset)")
                #expect(chunk.status == .ok)
                #expect(chunk.array.count == 2)
                #expect(Self.totalCount(chunk) == 6)
                seen += Self.emails(chunk)
            }
            #expect(seen == everyone)

            let tail = try await world.request(.get, "\(base)&offset=5")
            #expect(Self.emails(tail) == ["holder5@example.com"])
            #expect(Self.totalCount(tail) == 6)

            let beyond = try await world.request(.get, "\(base)&offset=50")
            #expect(beyond.status == .ok && beyond.array.isEmpty)
            #expect(Self.totalCount(beyond) == 6)

            let clamped = try await world.request(.get, "\(base)&limit=1000")
            #expect(Self.emails(clamped) == everyone)

            try await world.request(.get, "\(base)&limit=-1").expectProblem(.badRequest)
            try await world.request(.get, "\(base)&offset=abc").expectProblem(.badRequest)
        }
    }

    @Test("listing the holders of an unknown role is 404 and of a malformed role id is 400")
    func holdersOfUnknownRole() async throws {
        try await withWorld { world in
            try await world.request(.get, "/tenants/roles/\(Self.unknownId)/users").expectProblem(.notFound)
            try await world.request(.get, "/tenants/roles/not-a-uuid/users").expectProblem(.badRequest)
        }
    }

    // MARK: - A user's roles

    @Test("a user's roles: effective by default, direct with rolesOnly=true, group-granted with groupsOnly=true, both at once 400")
    func userRolesViews() async throws {
        try await withWorld { world in
            let support = try await world.roleId("SUPPORT")
            let billing = try await world.roleId("BILLING")
            let helpdesk = try await world.createGroup("Helpdesk", roles: [support])
            let user = try await world.createUsers(["mixed@example.com"], groups: [helpdesk])[0]
            _ = try await world.request(.post, "/tenants/users/\(user)/groups", json: ["groupId": try await world.defaultGroupId()])
            // SUPPORT is held both directly and through Helpdesk.
            try await Self.patchRoles(world, user, add: [billing, support])

            let all = try await world.request(.get, "/tenants/users/\(user)/roles")
            #expect(all.status == .ok)
            #expect(all.array.count == 3)
            #expect(Self.types(all.json) == ["BILLING", "SUPPORT", "DEFAULT"])

            let directOnly = try await world.request(.get, "/tenants/users/\(user)/roles?rolesOnly=true")
            #expect(directOnly.status == .ok)
            #expect(directOnly.array.count == 2)
            #expect(Self.types(directOnly.json) == ["BILLING", "SUPPORT"])

            let groupsOnly = try await world.request(.get, "/tenants/users/\(user)/roles?groupsOnly=true")
            #expect(groupsOnly.status == .ok)
            #expect(groupsOnly.array.count == 2)
            #expect(Self.types(groupsOnly.json) == ["SUPPORT", "DEFAULT"])

            let neither = try await world.request(.get, "/tenants/users/\(user)/roles?rolesOnly=false&groupsOnly=false")
            #expect(Self.types(neither.json) == ["BILLING", "SUPPORT", "DEFAULT"])

            try await world.request(.get, "/tenants/users/\(user)/roles?rolesOnly=true&groupsOnly=true").expectProblem(.badRequest)
            try await world.request(.get, "/tenants/users/\(Self.unknownId)/roles").expectProblem(.notFound)

            // The User answer lists the effective roles, each once.
            let answer = try await world.request(.get, "/tenants/users/\(user)")
            #expect((answer.object["roles"] as? [Any])?.count == 3)
        }
    }
}
