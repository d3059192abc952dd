import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("Roles: changing assignments")
struct RoleAssignmentTests: RoleTestSupport {
    /// The types of a user's effective roles as GET /users/{id} answers them.
    static func effective(_ world: TestWorld, _ user: String) async throws -> Set<String> {
        types(try await world.request(.get, "/tenants/users/\(user)").object["roles"])
    }

    /// The types of a user's direct roles.
    static func direct(_ world: TestWorld, _ user: String) async throws -> Set<String> {
        types(try await world.request(.get, "/tenants/users/\(user)/roles?rolesOnly=true").json)
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

    // MARK: - PATCH a user's roles

    @Test("PATCH roles answers 200 with the updated User carrying the effective roles, and the next read agrees")
    func patchAnswersUser() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let billing = try await world.roleId("BILLING")
            let user = try await world.createUsers(["patched@example.com"])[0]

            let added = try await world.request(
                .patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [admin, billing], "removedRoles": [String]()])
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
            let groupRole = try await world.request(
                .patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [String](), "removedRoles": [defaultRole]])
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

            let first = try await world.request(
                .patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [Self.unknownId], "removedRoles": [String]()])
            first.expectProblem(.unprocessableContent)
            #expect(first.pointers == ["/addedRoles/0"])

            let second = try await world.request(
                .patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [billing, Self.unknownId], "removedRoles": [String]()])
            second.expectProblem(.unprocessableContent)
            #expect(second.pointers == ["/addedRoles/1"])

            let foreign = try await world.roleId("BILLING", key: world.b.adminKey)
            let crossTenant = try await world.request(
                .patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [foreign], "removedRoles": [String]()])
            crossTenant.expectProblem(.unprocessableContent)
            #expect(crossTenant.pointers == ["/addedRoles/0"])

            // An unknown id is 422 in removedRoles too, even though removing an unheld role is a no-op.
            let removed = try await world.request(
                .patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [billing], "removedRoles": [Self.unknownId]])
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
            let reply = try await world.request(
                .patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [billing, admin], "removedRoles": [admin]])
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

            try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [billing, owner], "removedRoles": [String]()])
                .expectProblem(.forbidden)
            #expect(try await Self.direct(world, user).isEmpty)

            try await world.request(.patch, "/tenants/users/\(world.a.ownerId)/roles", json: ["addedRoles": [String](), "removedRoles": [owner]])
                .expectProblem(.forbidden)
            #expect(try await Self.direct(world, world.a.ownerId) == ["OWNER"])
        }
    }

    @Test("a PATCH roles body with nothing to change, or with a malformed id, is 400; an unknown user is 404")
    func patchMalformedBodies() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let user = try await world.createUsers(["strict@example.com"])[0]

            // Both lists default to []; leaving both empty changes nothing and is refused (issue 12).
            let nothing = try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["removedRoles": [String]()])
            nothing.expectProblem(.badRequest)
            #expect(nothing.pointers == ["/addedRoles"])

            let malformed = try await world.request(
                .patch, "/tenants/users/\(user)/roles", json: ["addedRoles": ["ADMIN"], "removedRoles": [String]()])
            malformed.expectProblem(.badRequest)
            #expect(malformed.pointers == ["/addedRoles/0"])

            #expect(try await Self.direct(world, user).isEmpty)

            try await world.request(.patch, "/tenants/users/\(Self.unknownId)/roles", json: ["addedRoles": [admin], "removedRoles": [String]()])
                .expectProblem(.notFound)
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
            try await world.request(
                .patch, "/tenants/users/\(user)/roles", auth: readOnly, json: ["addedRoles": [String](), "removedRoles": [admin]]
            ).expectProblem(.forbidden)
            #expect(try await Self.direct(world, user) == ["ADMIN"])
        }
    }
}
