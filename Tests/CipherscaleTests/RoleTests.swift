import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("Roles")
struct RolesTests {
    static let unknownId = "550e8400-e29b-41d4-a716-446655440000"
    static let systemTypes: Set<String> = ["OWNER", "ADMIN", "DEFAULT", "BASIC", "BILLING", "AUDITOR", "SUPPORT"]

    /// The `type` of every role in a JSON array of roles.
    static func types(_ roles: Any?) -> Set<String> {
        Set((roles as? [[String: Any]] ?? []).compactMap { $0["type"] as? String })
    }

    /// The `email` of every user in an array answer, in order.
    static func emails(_ reply: Reply) -> [String] {
        reply.array.compactMap { $0["email"] as? String }
    }

    /// The `X-Total-Count` header as a number.
    static func totalCount(_ reply: Reply) -> Int? {
        reply.headers[HTTPField.Name("X-Total-Count")!].flatMap { Int($0) }
    }

    /// Changes a user's direct roles and expects 200.
    static func patchRoles(_ world: TestWorld, _ user: String, add: [String] = [], remove: [String] = []) async throws {
        let reply = try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": add, "removedRoles": remove])
        #expect(reply.status == .ok, "\(reply.text)")
    }

    /// The types of a user's effective roles as GET /users/{id} answers them.
    static func effective(_ world: TestWorld, _ user: String) async throws -> Set<String> {
        types(try await world.request(.get, "/tenants/users/\(user)").object["roles"])
    }

    /// The types of a user's direct roles.
    static func direct(_ world: TestWorld, _ user: String) async throws -> Set<String> {
        types(try await world.request(.get, "/tenants/users/\(user)/roles?rolesOnly=true").json)
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

    // MARK: - Removing a direct assignment

    @Test("removing a direct role from a user is 204 and the role is gone from their direct roles at once")
    func removeDirectRole() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let billing = try await world.roleId("BILLING")
            let user = try await world.createUsers(["promoted@example.com"])[0]
            try await Self.patchRoles(world, user, add: [admin, billing])
            #expect(try await Self.direct(world, user) == ["ADMIN", "BILLING"])

            let reply = try await world.request(.delete, "/tenants/roles/\(admin)/users/\(user)")
            #expect(reply.status == .noContent)
            #expect(reply.text.isEmpty)
            #expect(try await Self.direct(world, user) == ["BILLING"])
            #expect(try await Self.effective(world, user) == ["BILLING", "DEFAULT"])
            let holders = try await world.request(.get, "/tenants/roles/\(admin)/users")
            #expect(holders.array.isEmpty)

            // Removing it again: the user no longer holds it directly.
            try await world.request(.delete, "/tenants/roles/\(admin)/users/\(user)").expectProblem(.notFound)
        }
    }

    @Test("removing a role the user holds only through a group is 404 and the role stays in effect")
    func removeGroupGrantedRoleIs404() async throws {
        try await withWorld { world in
            let user = try await world.createUsers(["member@example.com"])[0]
            let defaultRole = try await world.roleId("DEFAULT")
            try await world.request(.delete, "/tenants/roles/\(defaultRole)/users/\(user)").expectProblem(.notFound)
            #expect(try await Self.effective(world, user) == ["DEFAULT"])
            // A role the user does not hold at all is 404 as well.
            try await world.request(.delete, "/tenants/roles/\(try await world.roleId("AUDITOR"))/users/\(user)").expectProblem(.notFound)
        }
    }

    @Test("the OWNER role cannot be removed from the owner: 403, and the owner still holds it directly")
    func ownerRoleCannotBeRemoved() async throws {
        try await withWorld { world in
            let owner = try await world.roleId("OWNER")
            try await world.request(.delete, "/tenants/roles/\(owner)/users/\(world.a.ownerId)").expectProblem(.forbidden)
            #expect(try await Self.direct(world, world.a.ownerId) == ["OWNER"])
            let user = try await world.request(.get, "/tenants/users/\(world.a.ownerId)")
            #expect(Self.types(user.object["roles"]) == ["OWNER", "DEFAULT"])
            #expect(user.object["isOwner"] as? Bool == true)
        }
    }

    @Test("removing a role from an unknown user or an unknown role is 404; a malformed user id is 400")
    func removeFromUnknown() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            try await world.request(.delete, "/tenants/roles/\(admin)/users/\(Self.unknownId)").expectProblem(.notFound)
            let user = try await world.createUsers(["someone@example.com"])[0]
            try await world.request(.delete, "/tenants/roles/\(Self.unknownId)/users/\(user)").expectProblem(.notFound)
            try await world.request(.delete, "/tenants/roles/\(admin)/users/not-a-uuid").expectProblem(.badRequest)
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

    // MARK: - PATCH a user's roles

    @Test("PATCH roles answers 200 with the updated User carrying the effective roles, and the next read agrees")
    func patchAnswersUser() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let billing = try await world.roleId("BILLING")
            let user = try await world.createUsers(["patched@example.com"])[0]

            let added = try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [admin, billing], "removedRoles": [String]()])
            #expect(added.status == .ok, "\(added.text)")
            #expect(added.object["id"] as? String == user)
            #expect(added.object["email"] as? String == "patched@example.com")
            #expect(added.object["groups"] is [Any] && added.object["devices"] is [Any])
            #expect(Self.types(added.object["roles"]) == ["ADMIN", "BILLING", "DEFAULT"])

            let removed = try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [String](), "removedRoles": [admin]])
            #expect(removed.status == .ok)
            #expect(Self.types(removed.object["roles"]) == ["BILLING", "DEFAULT"])

            #expect(try await Self.effective(world, user) == ["BILLING", "DEFAULT"])
            #expect(try await Self.direct(world, user) == ["BILLING"])
        }
    }

    @Test("adding a role already held directly or removing one not held directly changes nothing and is 200")
    func patchNoOps() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let auditor = try await world.roleId("AUDITOR")
            let defaultRole = try await world.roleId("DEFAULT")
            let user = try await world.createUsers(["steady@example.com"])[0]
            try await Self.patchRoles(world, user, add: [admin])

            let reply = try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [admin], "removedRoles": [auditor]])
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(Self.types(reply.object["roles"]) == ["ADMIN", "DEFAULT"])
            let direct = try await world.request(.get, "/tenants/users/\(user)/roles?rolesOnly=true")
            #expect(direct.array.compactMap { $0["type"] as? String } == ["ADMIN"])

            // Removing a role held only through a group does not touch the group grant.
            let groupRole = try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [String](), "removedRoles": [defaultRole]])
            #expect(groupRole.status == .ok)
            #expect(Self.types(groupRole.object["roles"]) == ["ADMIN", "DEFAULT"])
            #expect(try await Self.effective(world, user) == ["ADMIN", "DEFAULT"])
        }
    }

    @Test("an unknown role id in either list of PATCH roles is 422 naming it by pointer, and nothing changes")
    func patchUnknownRole() async throws {
        try await withWorld { world in
            let billing = try await world.roleId("BILLING")
            let user = try await world.createUsers(["careful@example.com"])[0]

            let first = try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [Self.unknownId], "removedRoles": [String]()])
            first.expectProblem(.unprocessableContent)
            #expect(first.pointers == ["/addedRoles/0"])

            let second = try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [billing, Self.unknownId], "removedRoles": [String]()])
            second.expectProblem(.unprocessableContent)
            #expect(second.pointers == ["/addedRoles/1"])

            let foreign = try await world.roleId("BILLING", key: world.b.adminKey)
            let crossTenant = try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [foreign], "removedRoles": [String]()])
            crossTenant.expectProblem(.unprocessableContent)
            #expect(crossTenant.pointers == ["/addedRoles/0"])

            // An unknown id is 422 in removedRoles too, even though removing an unheld role is a no-op.
            let removed = try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [billing], "removedRoles": [Self.unknownId]])
            removed.expectProblem(.unprocessableContent)
            #expect(removed.pointers == ["/removedRoles/0"])

            #expect(try await Self.direct(world, user).isEmpty)
            #expect(try await Self.effective(world, user) == ["DEFAULT"])
        }
    }

    @Test("the same role id in addedRoles and removedRoles is 400, and nothing changes")
    func patchSameIdInBothLists() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let billing = try await world.roleId("BILLING")
            let user = try await world.createUsers(["torn@example.com"])[0]
            let reply = try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [billing, admin], "removedRoles": [admin]])
            reply.expectProblem(.badRequest)
            #expect(try await Self.direct(world, user).isEmpty)
        }
    }

    @Test("the OWNER role in addedRoles or removedRoles is 403, and nothing changes")
    func patchOwnerRoleIsForbidden() async throws {
        try await withWorld { world in
            let owner = try await world.roleId("OWNER")
            let billing = try await world.roleId("BILLING")
            let user = try await world.createUsers(["ambitious@example.com"])[0]

            try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [billing, owner], "removedRoles": [String]()]).expectProblem(.forbidden)
            #expect(try await Self.direct(world, user).isEmpty)

            try await world.request(.patch, "/tenants/users/\(world.a.ownerId)/roles", json: ["addedRoles": [String](), "removedRoles": [owner]]).expectProblem(.forbidden)
            #expect(try await Self.direct(world, world.a.ownerId) == ["OWNER"])
        }
    }

    @Test("a PATCH roles body without removedRoles, or with a malformed id, is 400; an unknown user is 404")
    func patchMalformedBodies() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let user = try await world.createUsers(["strict@example.com"])[0]

            let missing = try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [admin]])
            missing.expectProblem(.badRequest)
            #expect(missing.pointers == ["/removedRoles"])

            let malformed = try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": ["ADMIN"], "removedRoles": [String]()])
            malformed.expectProblem(.badRequest)
            #expect(malformed.pointers == ["/addedRoles/0"])

            #expect(try await Self.direct(world, user).isEmpty)

            try await world.request(.patch, "/tenants/users/\(Self.unknownId)/roles", json: ["addedRoles": [admin], "removedRoles": [String]()]).expectProblem(.notFound)
        }
    }

    @Test("a read-only key reads roles and their holders but gets 403 when changing role assignments")
    func readOnlyKey() async throws {
        try await withWorld { world in
            let readOnly = Auth.key(world.a.readOnlyKey)
            let admin = try await world.roleId("ADMIN")
            let user = try await world.createUsers(["viewer@example.com"])[0]
            try await Self.patchRoles(world, user, add: [admin])

            #expect(try await world.request(.get, "/tenants/roles", auth: readOnly).array.count == 7)
            #expect(try await world.request(.get, "/tenants/roles/\(admin)", auth: readOnly).status == .ok)
            let holders = try await world.request(.get, "/tenants/roles/\(admin)/users", auth: readOnly)
            #expect(Self.emails(holders) == ["viewer@example.com"])

            try await world.request(.delete, "/tenants/roles/\(admin)/users/\(user)", auth: readOnly).expectProblem(.forbidden)
            try await world.request(.patch, "/tenants/users/\(user)/roles", auth: readOnly, json: ["addedRoles": [String](), "removedRoles": [admin]]).expectProblem(.forbidden)
            #expect(try await Self.direct(world, user) == ["ADMIN"])
        }
    }
}
