import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("Groups: replace, delete and keys")
struct GroupChangeTests: GroupTestSupport {
    /// The `name` of every group in a user's `groups`.
    static func groupNames(_ user: [String: Any]) -> [String] {
        (user["groups"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.sorted()
    }

    // MARK: - Replace

    @Test("PUT replaces name, description and roles as a whole, clears an omitted description and keeps the members")
    func replaceGroup() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let billing = try await world.roleId("BILLING")
            let auditor = try await world.roleId("AUDITOR")
            let created = try await world.request(
                .post, "/tenants/groups",
                json: [
                    "name": "Finance", "description": "Money people", "roles": [admin], "isSamlDefaultGroup": true, "idpMapping": ["fin"],
                    "maxDevices": 2,
                ])
            #expect(created.status == .created)
            let id = try #require(created.object["id"] as? String)
            _ = try await world.createUsers(["member@example.com"], groups: [id])

            let replaced = try await world.request(
                .put, "/tenants/groups/\(id)",
                json: [
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
            #expect(
                Set((defaultGroup.object["users"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }) == [
                    "owner@a.example", "orphan@example.com",
                ])
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
            try await world.request(.put, "/tenants/groups/\(group)", auth: readOnly, json: ["name": "Renamed", "roles": [String]()]).expectProblem(
                .forbidden)
            try await world.request(.delete, "/tenants/groups/\(group)", auth: readOnly).expectProblem(.forbidden)

            let after = try await world.request(.get, "/tenants/groups")
            #expect(Self.names(after) == ["Default", "Guarded"])
        }
    }
}
