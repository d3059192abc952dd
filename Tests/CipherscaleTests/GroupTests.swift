import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("Groups")
struct GroupsTests {
    static let unknownId = "550e8400-e29b-41d4-a716-446655440000"

    /// The `name` of every group on a list page, in order.
    static func names(_ reply: Reply) -> [String] {
        (reply.object["data"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }

    /// The `type` of every role in a JSON array of roles.
    static func types(_ roles: Any?) -> Set<String> {
        Set((roles as? [[String: Any]] ?? []).compactMap { $0["type"] as? String })
    }

    /// The `name` of every group in a user's `groups`.
    static func groupNames(_ user: [String: Any]) -> [String] {
        (user["groups"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.sorted()
    }

    /// The number of groups tenant A has.
    static func total(_ world: TestWorld) async throws -> Int? {
        try await world.request(.get, "/tenants/groups?limit=0").object["total"] as? Int
    }

    // MARK: - Create

    @Test("creating a group answers 201 with its roles embedded as Role objects, an empty member list and the defaults")
    func createAnswersTheGroup() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let basic = try await world.roleId("BASIC")
            let reply = try await world.request(.post, "/tenants/groups", json: ["name": "Engineering", "description": "Builds things", "roles": [admin, basic]])
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
            let reply = try await world.request(.post, "/tenants/groups", json: [
                "name": "Contractors", "roles": [String](), "maxDevices": 3, "isSamlDefaultGroup": true, "idpMapping": ["ext-contractors", "ext-temps"],
            ])
            #expect(reply.status == .created, "\(reply.text)")
            #expect(reply.object["maxDevices"] as? Int == 3)
            #expect(reply.object["isSamlDefaultGroup"] as? Bool == true)
            #expect(reply.object["idpMapping"] as? [String] == ["ext-contractors", "ext-temps"])
            #expect((reply.object["roles"] as? [Any])?.isEmpty == true)
            #expect(reply.object["description"] == nil)
        }
    }

    // MARK: - List

    @Test("the group list is a page in creation order whose groups carry userCount but no members")
    func listDefaultShape() async throws {
        try await withWorld { world in
            for name in ["Gamma", "Alpha", "Beta"] { _ = try await world.createGroup(name) }
            let reply = try await world.request(.get, "/tenants/groups")
            #expect(reply.status == .ok)
            #expect(Self.names(reply) == ["Default", "Gamma", "Alpha", "Beta"])
            #expect(reply.object["total"] as? Int == 4)
            #expect(reply.object["page"] as? Int == 0)
            #expect(reply.object["limit"] as? Int == 10)
            #expect(reply.object["hasNext"] as? Bool == false)
            #expect(reply.object["hasPrevious"] as? Bool == false)
            let data = reply.object["data"] as? [[String: Any]] ?? []
            #expect(data.allSatisfy { $0["users"] == nil })
            #expect(data.map { $0["userCount"] as? Int } == [1, 0, 0, 0])
            #expect(data.map { $0["deleteable"] as? Bool } == [false, true, true, true])
            #expect(Self.types(data.first?["roles"]) == ["DEFAULT"])
        }
    }

    @Test("sort=name orders groups by name, -name and name:desc reverse it, and an unknown sort field is 400")
    func listSorting() async throws {
        try await withWorld { world in
            for name in ["Gamma", "Alpha", "Beta"] { _ = try await world.createGroup(name) }
            let ascending = try await world.request(.get, "/tenants/groups?sort=name")
            #expect(ascending.status == .ok)
            #expect(Self.names(ascending) == ["Alpha", "Beta", "Default", "Gamma"])
            let descending = try await world.request(.get, "/tenants/groups?sort=-name")
            #expect(Self.names(descending) == ["Gamma", "Default", "Beta", "Alpha"])
            let spelled = try await world.request(.get, "/tenants/groups?sort=name:desc")
            #expect(Self.names(spelled) == ["Gamma", "Default", "Beta", "Alpha"])
            let explicit = try await world.request(.get, "/tenants/groups?sort=name:asc")
            #expect(Self.names(explicit) == ["Alpha", "Beta", "Default", "Gamma"])
            try await world.request(.get, "/tenants/groups?sort=userCount").expectProblem(.badRequest)
        }
    }

    @Test("filter[name] keeps the exactly named group and search matches a case-insensitive fragment of name or description")
    func listFilterAndSearch() async throws {
        try await withWorld { world in
            _ = try await world.createGroup("Beta")
            _ = try await world.createGroup("Betamax")
            let ops = try await world.request(.post, "/tenants/groups", json: ["name": "Ops", "description": "The night shift", "roles": [String]()])
            #expect(ops.status == .created)

            let exact = try await world.request(.get, "/tenants/groups?filter[name]=Beta")
            #expect(exact.status == .ok)
            #expect(Self.names(exact) == ["Beta"])
            #expect(exact.object["total"] as? Int == 1)

            let byName = try await world.request(.get, "/tenants/groups?search=ETA")
            #expect(Self.names(byName) == ["Beta", "Betamax"])
            #expect(byName.object["total"] as? Int == 2)

            let byDescription = try await world.request(.get, "/tenants/groups?search=NIGHT")
            #expect(Self.names(byDescription) == ["Ops"])
            #expect(byDescription.object["total"] as? Int == 1)

            let combined = try await world.request(.get, "/tenants/groups?search=beta&filter[name][ne]=Beta")
            #expect(Self.names(combined) == ["Betamax"])

            let none = try await world.request(.get, "/tenants/groups?search=nothing-like-this")
            #expect(Self.names(none).isEmpty)
            #expect(none.object["total"] as? Int == 0)

            try await world.request(.get, "/tenants/groups?filter[members]=x").expectProblem(.badRequest)
        }
    }

    @Test("limit and offset page through groups with page, hasNext and hasPrevious; limit is clamped to 100")
    func listPaging() async throws {
        try await withWorld { world in
            for index in 1...5 { _ = try await world.createGroup("Team \(index)") }
            let middle = try await world.request(.get, "/tenants/groups?limit=2&offset=2")
            #expect(middle.status == .ok)
            #expect(Self.names(middle) == ["Team 2", "Team 3"])
            #expect(middle.object["total"] as? Int == 6)
            #expect(middle.object["page"] as? Int == 1)
            #expect(middle.object["limit"] as? Int == 2)
            #expect(middle.object["hasNext"] as? Bool == true)
            #expect(middle.object["hasPrevious"] as? Bool == true)

            let last = try await world.request(.get, "/tenants/groups?page[limit]=2&page[offset]=4")
            #expect(Self.names(last) == ["Team 4", "Team 5"])
            #expect(last.object["page"] as? Int == 2)
            #expect(last.object["hasNext"] as? Bool == false)
            #expect(last.object["hasPrevious"] as? Bool == true)

            let clamped = try await world.request(.get, "/tenants/groups?limit=1000")
            #expect(clamped.object["limit"] as? Int == 100)
            #expect(Self.names(clamped).count == 6)

            try await world.request(.get, "/tenants/groups?limit=-1").expectProblem(.badRequest)
            try await world.request(.get, "/tenants/groups?offset=two").expectProblem(.badRequest)
        }
    }

    // MARK: - Get one

    @Test("GET one group lists its members, oldest membership first, with their email, and counts them")
    func getWithMembers() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Engineering")
            let first = try await world.createUsers(["ada@example.com"], groups: [group])[0]
            let second = try await world.createUsers(["grace@example.com"], groups: [group])[0]
            _ = try await world.createUsers(["outsider@example.com"])

            let reply = try await world.request(.get, "/tenants/groups/\(group)")
            #expect(reply.status == .ok)
            #expect(reply.object["id"] as? String == group)
            #expect(reply.object["userCount"] as? Int == 2)
            let users = try #require(reply.object["users"] as? [[String: Any]])
            #expect(users.map { $0["email"] as? String } == ["ada@example.com", "grace@example.com"])
            #expect(users.map { $0["id"] as? String } == [first, second])
            #expect(users.allSatisfy { $0["createdAt"] is String && $0["updatedAt"] is String })

            let defaultGroup = try await world.request(.get, "/tenants/groups/\(try await world.defaultGroupId())")
            #expect(defaultGroup.object["userCount"] as? Int == 2)
            #expect(Set((defaultGroup.object["users"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }) == ["owner@a.example", "outsider@example.com"])
        }
    }

    @Test("an unknown group id is 404 on GET, PUT and DELETE; a malformed one is 400")
    func unknownAndMalformedIds() async throws {
        try await withWorld { world in
            try await world.request(.get, "/tenants/groups/\(Self.unknownId)").expectProblem(.notFound)
            try await world.request(.put, "/tenants/groups/\(Self.unknownId)", json: ["name": "X", "roles": [String]()]).expectProblem(.notFound)
            try await world.request(.delete, "/tenants/groups/\(Self.unknownId)").expectProblem(.notFound)
            try await world.request(.get, "/tenants/groups/not-a-uuid").expectProblem(.badRequest)
            try await world.request(.delete, "/tenants/groups/not-a-uuid").expectProblem(.badRequest)
            #expect(try await Self.total(world) == 1)
        }
    }

    // MARK: - Replace

    @Test("PUT replaces name, description and roles as a whole, clears an omitted description and keeps the members")
    func replaceGroup() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let billing = try await world.roleId("BILLING")
            let auditor = try await world.roleId("AUDITOR")
            let created = try await world.request(.post, "/tenants/groups", json: [
                "name": "Finance", "description": "Money people", "roles": [admin], "isSamlDefaultGroup": true, "idpMapping": ["fin"], "maxDevices": 2,
            ])
            #expect(created.status == .created)
            let id = try #require(created.object["id"] as? String)
            _ = try await world.createUsers(["member@example.com"], groups: [id])

            let replaced = try await world.request(.put, "/tenants/groups/\(id)", json: [
                "name": "Accounting", "description": "Ledger keepers", "roles": [billing, auditor],
            ])
            #expect(replaced.status == .ok, "\(replaced.text)")
            #expect(replaced.object["id"] as? String == id)
            #expect(replaced.object["name"] as? String == "Accounting")
            #expect(replaced.object["description"] as? String == "Ledger keepers")
            #expect(Self.types(replaced.object["roles"]) == ["BILLING", "AUDITOR"])
            // Full replacement: omitted optional settings are reset.
            #expect(replaced.object["isSamlDefaultGroup"] as? Bool == false)
            #expect((replaced.object["idpMapping"] as? [Any])?.isEmpty == true)
            #expect(replaced.object["maxDevices"] == nil)
            // Membership is not changed here.
            #expect(replaced.object["userCount"] as? Int == 1)
            #expect((replaced.object["users"] as? [[String: Any]])?.map { $0["email"] as? String } == ["member@example.com"])
            let createdAt = try #require(created.object["createdAt"] as? String)
            #expect(replaced.object["createdAt"] as? String == createdAt)
            #expect((replaced.object["updatedAt"] as? String ?? "") >= createdAt)

            let cleared = try await world.request(.put, "/tenants/groups/\(id)", json: ["name": "Accounting", "roles": [String]()])
            #expect(cleared.status == .ok, "\(cleared.text)")
            #expect(cleared.object["description"] == nil)
            #expect((cleared.object["roles"] as? [Any])?.isEmpty == true)

            let read = try await world.request(.get, "/tenants/groups/\(id)")
            #expect(read.object["name"] as? String == "Accounting")
            #expect(read.object["description"] == nil)
            #expect((read.object["roles"] as? [Any])?.isEmpty == true)
            #expect(read.object["userCount"] as? Int == 1)
        }
    }

    // MARK: - Delete

    @Test("DELETE answers 204 with no body, after which the group is 404 and gone from the list")
    func deleteGroup() async throws {
        try await withWorld { world in
            let id = try await world.createGroup("Temporary")
            let reply = try await world.request(.delete, "/tenants/groups/\(id)")
            #expect(reply.status == .noContent)
            #expect(reply.text.isEmpty)
            try await world.request(.get, "/tenants/groups/\(id)").expectProblem(.notFound)
            try await world.request(.delete, "/tenants/groups/\(id)").expectProblem(.notFound)
            let list = try await world.request(.get, "/tenants/groups")
            #expect(Self.names(list) == ["Default"])
            #expect(list.object["total"] as? Int == 1)
        }
    }

    @Test("the Default group cannot be deleted: 409, and it keeps its members and its DEFAULT role")
    func defaultGroupIsPermanent() async throws {
        try await withWorld { world in
            let id = try await world.defaultGroupId()
            _ = try await world.createUsers(["stays@example.com"])
            try await world.request(.delete, "/tenants/groups/\(id)").expectProblem(.conflict)
            let group = try await world.request(.get, "/tenants/groups/\(id)")
            #expect(group.status == .ok)
            #expect(group.object["name"] as? String == "Default")
            #expect(group.object["deleteable"] as? Bool == false)
            #expect(group.object["userCount"] as? Int == 2)
            #expect(Self.types(group.object["roles"]) == ["DEFAULT"])
        }
    }

    @Test("deleting a group moves members left in no group to the Default group, while members of another group just lose it")
    func deleteMovesOrphansToDefault() async throws {
        try await withWorld { world in
            let doomed = try await world.createGroup("Doomed", roles: [try await world.roleId("ADMIN")])
            let other = try await world.createGroup("Other", roles: [try await world.roleId("SUPPORT")])
            let orphan = try await world.createUsers(["orphan@example.com"], groups: [doomed])[0]
            let covered = try await world.createUsers(["covered@example.com"], groups: [doomed, other])[0]

            let before = try await world.request(.get, "/tenants/users/\(orphan)")
            #expect(Self.groupNames(before.object) == ["Doomed"])
            #expect(Self.types(before.object["roles"]) == ["ADMIN"])

            #expect(try await world.request(.delete, "/tenants/groups/\(doomed)").status == .noContent)

            let moved = try await world.request(.get, "/tenants/users/\(orphan)")
            #expect(moved.status == .ok)
            #expect(Self.groupNames(moved.object) == ["Default"])
            #expect(Self.types(moved.object["roles"]) == ["DEFAULT"])

            let kept = try await world.request(.get, "/tenants/users/\(covered)")
            #expect(Self.groupNames(kept.object) == ["Other"])
            #expect(Self.types(kept.object["roles"]) == ["SUPPORT"])

            let defaultGroup = try await world.request(.get, "/tenants/groups/\(try await world.defaultGroupId())")
            #expect(defaultGroup.object["userCount"] as? Int == 2)
            #expect(Set((defaultGroup.object["users"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }) == ["owner@a.example", "orphan@example.com"])
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

    // MARK: - Effects on members

    @Test("changing a group's roles changes its members' effective roles at once")
    func roleChangesReachMembers() async throws {
        try await withWorld { world in
            let support = try await world.roleId("SUPPORT")
            let group = try await world.createGroup("Helpdesk", roles: [support])
            let user = try await world.createUsers(["agent@example.com"], groups: [group])[0]
            #expect(Self.types(try await world.request(.get, "/tenants/users/\(user)").object["roles"]) == ["SUPPORT"])

            let billing = try await world.roleId("BILLING")
            let auditor = try await world.roleId("AUDITOR")
            let put = try await world.request(.put, "/tenants/groups/\(group)", json: ["name": "Helpdesk", "roles": [billing, auditor]])
            #expect(put.status == .ok)

            let after = try await world.request(.get, "/tenants/users/\(user)")
            #expect(Self.types(after.object["roles"]) == ["BILLING", "AUDITOR"])
            let granted = try await world.request(.get, "/tenants/users/\(user)/roles?groupsOnly=true")
            #expect(Self.types(granted.json) == ["BILLING", "AUDITOR"])

            _ = try await world.request(.put, "/tenants/groups/\(group)", json: ["name": "Helpdesk", "roles": [String]()])
            #expect(Self.types(try await world.request(.get, "/tenants/users/\(user)").object["roles"]).isEmpty)
        }
    }

    // MARK: - Keys

    @Test("a read-only key reads groups with 200 but gets 403 on POST, PUT and DELETE, and nothing changes")
    func readOnlyKey() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Guarded")
            let readOnly = Auth.key(world.a.readOnlyKey)

            let list = try await world.request(.get, "/tenants/groups", auth: readOnly)
            #expect(list.status == .ok)
            #expect(Self.names(list) == ["Default", "Guarded"])
            let one = try await world.request(.get, "/tenants/groups/\(group)", auth: readOnly)
            #expect(one.status == .ok)
            #expect(one.object["name"] as? String == "Guarded")

            try await world.request(.post, "/tenants/groups", auth: readOnly, json: ["name": "Sneaky", "roles": [String]()]).expectProblem(.forbidden)
            try await world.request(.put, "/tenants/groups/\(group)", auth: readOnly, json: ["name": "Renamed", "roles": [String]()]).expectProblem(.forbidden)
            try await world.request(.delete, "/tenants/groups/\(group)", auth: readOnly).expectProblem(.forbidden)

            let after = try await world.request(.get, "/tenants/groups")
            #expect(Self.names(after) == ["Default", "Guarded"])
        }
    }
}
