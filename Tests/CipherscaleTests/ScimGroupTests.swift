import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// SCIM 2.0 groups: names, members, and large member patches.
@Suite("SCIM groups")
struct ScimGroupTests {
    @Test("a group is created with members, renamed, and its name stays unique; the REST API sees the same members")
    func createAndRename() async throws {
        try await withWorld { world in
            let one = try await world.scimUser("one@example.com")["id"] as! String
            let two = try await world.scimUser("two@example.com")["id"] as! String
            let created = try await world.scim(
                .post, "/Groups",
                json: ["schemas": [ScimURN.group], "displayName": "Engineering", "externalId": "g-1", "members": [["value": one], ["value": two]]])
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.object["id"] as? String)
            #expect(created.headers[.location]?.hasSuffix("/scim/v2/Groups/\(id)") == true)
            #expect(Set((created.object["members"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }) == [one, two])
            let rest = try await world.request(.get, "/tenants/groups/\(id)").object
            #expect(rest["name"] as? String == "Engineering" && rest["userCount"] as? Int == 2)

            try await world.scim(.post, "/Groups", json: ["schemas": [ScimURN.group], "displayName": "engineering"])
                .expectScimError(.conflict, "uniqueness")
            let renamed = try await world.scim(
                .patch, "/Groups/\(id)",
                json: ["schemas": [ScimURN.patchOp], "Operations": [["op": "Replace", "value": ["displayName": "Platform", "externalId": "g-2"]]]])
            #expect(renamed.status == .noContent, "\(renamed.text)")
            let read = try await world.scim(.get, "/Groups/\(id)?attributes=members.display,displayName")
            #expect(read.object["displayName"] as? String == "Platform")
            #expect(
                Set((read.object["members"] as? [[String: Any]] ?? []).compactMap { $0["display"] as? String }) == [
                    "one@example.com", "two@example.com",
                ])
            #expect(try await world.scimList("/Groups?filter=externalId%20eq%20%22g-2%22").total == 1)
            #expect(try await world.scimList("/Groups?filter=members.value%20eq%20%22\(one)%22").resources.count == 2, "Default and Platform")
            let user = try await world.scim(.get, "/Users/\(one)")
            #expect(Set((user.object["groups"] as? [[String: Any]] ?? []).compactMap { $0["display"] as? String }) == ["Default", "Platform"])
        }
    }

    @Test("several hundred members are added in one PATCH, and removed by value path or value list")
    func largeMemberPatch() async throws {
        try await withWorld { world in
            var ids: [String] = []
            for batch in 0..<3 {
                ids += try await world.createUsers((0..<100).map { "m\(batch)-\($0)@example.com" })
            }
            let group = try await world.scim(.post, "/Groups", json: ["schemas": [ScimURN.group], "displayName": "Everyone"]).object["id"] as! String
            let added = try await world.scim(
                .patch, "/Groups/\(group)",
                json: ["schemas": [ScimURN.patchOp], "Operations": [["op": "Add", "path": "members", "value": ids.map { ["value": $0] }]]])
            #expect(added.status == .noContent, "\(added.text)")
            #expect(try await world.request(.get, "/tenants/groups/\(group)").object["userCount"] as? Int == 300)
            let audit = try await world.request(.get, "/tenants/audit-events?action=user.groups.add&limit=1").object
            #expect(audit["total"] as? Int == 300, "one audited join per user")

            let removeOne = try await world.scim(
                .patch, "/Groups/\(group)",
                json: ["schemas": [ScimURN.patchOp], "Operations": [["op": "Remove", "path": "members[value eq \"\(ids[0])\"]"]]])
            #expect(removeOne.status == .noContent, "\(removeOne.text)")
            let removeMany = try await world.scim(
                .patch, "/Groups/\(group)",
                json: [
                    "schemas": [ScimURN.patchOp], "Operations": [["op": "Remove", "path": "members", "value": ids[1..<200].map { ["value": $0] }]],
                ])
            #expect(removeMany.status == .noContent, "\(removeMany.text)")
            let read = try await world.scim(.get, "/Groups/\(group)")
            #expect((read.object["members"] as? [[String: Any]])?.count == 100)
            let unknown = try await world.scim(
                .patch, "/Groups/\(group)",
                json: ["schemas": [ScimURN.patchOp], "Operations": [["op": "add", "path": "members", "value": [["value": Identifiers.make()]]]]])
            unknown.expectScimError(.badRequest, "invalidValue")
        }
    }

    @Test("a user removed from their last group is left in the Default group; the Default group cannot be deleted")
    func lastGroup() async throws {
        try await withWorld { world in
            let team = try await world.createGroup("Team")
            let user = try await world.createUsers(["solo@example.com"], groups: [team])[0]
            let removed = try await world.scim(
                .patch, "/Groups/\(team)",
                json: ["schemas": [ScimURN.patchOp], "Operations": [["op": "remove", "path": "members[value eq \"\(user)\"]"]]])
            #expect(removed.status == .noContent, "\(removed.text)")
            let groups = try await world.request(.get, "/tenants/users/\(user)").object["groups"] as? [[String: Any]] ?? []
            #expect(groups.map { $0["name"] as? String } == ["Default"])
            let defaultGroup = try await world.defaultGroupId()
            try await world.scim(.delete, "/Groups/\(defaultGroup)").expectScimError(.badRequest, "mutability")
            let replaced = try await world.scim(
                .put, "/Groups/\(team)", json: ["schemas": [ScimURN.group], "displayName": "Team", "members": [["value": user]]])
            #expect(replaced.status == .ok, "\(replaced.text)")
            #expect(try await world.scim(.delete, "/Groups/\(team)").status == .noContent)
            #expect(try await world.request(.get, "/tenants/users/\(user)").object["groups"] as? [[String: Any]] != nil)
        }
    }

    @Test("another tenant's users cannot be made members, and its groups are 404")
    func isolation() async throws {
        try await withWorld { world in
            let theirUser = try await world.scimUser("their@example.com", key: world.b.adminKey)["id"] as! String
            let theirGroup = try await world.scim(.post, "/Groups", json: ["displayName": "Theirs"], key: world.b.adminKey).object["id"] as! String
            try await world.scim(.post, "/Groups", json: ["displayName": "Mine", "members": [["value": theirUser]]])
                .expectScimError(.badRequest, "invalidValue")
            try await world.scim(.get, "/Groups/\(theirGroup)").expectScimError(.notFound)
            try await world.scim(
                .patch, "/Groups/\(theirGroup)", json: ["schemas": [ScimURN.patchOp], "Operations": [["op": "remove", "path": "members"]]]
            ).expectScimError(.notFound)
            #expect(try await world.scimList("/Groups?filter=displayName%20eq%20%22Theirs%22").total == 0)
        }
    }

    @Test("POST /.search at the root lists users, then groups, as one page; a filter of one type's attributes finds that type")
    func rootSearch() async throws {
        try await withWorld { world in
            _ = try await world.scimUser("root@example.com")
            _ = try await world.createGroup("Rooted")
            let all = try await world.scim(.post, "/.search", json: ["schemas": [ScimURN.searchRequest], "count": 3])
            #expect(all.status == .ok, "\(all.text)")
            #expect(all.object["totalResults"] as? Int == 4, "the owner and root; Default and Rooted")
            let resources = all.object["Resources"] as? [[String: Any]] ?? []
            #expect(resources.map { ($0["meta"] as? [String: Any])?["resourceType"] as? String } == ["User", "User", "Group"])
            let rest = try await world.scim(.post, "/.search", json: ["schemas": [ScimURN.searchRequest], "startIndex": 4, "count": 3])
            #expect((rest.object["Resources"] as? [[String: Any]])?.map { $0["displayName"] as? String } == ["Rooted"])
            let named = try await world.scim(.post, "/.search", json: ["schemas": [ScimURN.searchRequest], "filter": "displayName eq \"rooted\""])
            #expect(named.object["totalResults"] as? Int == 1, "\(named.text)")
            try await world.scim(.post, "/.search", json: ["schemas": [ScimURN.searchRequest], "filter": "nickName eq \"x\""])
                .expectScimError(.badRequest, "invalidFilter")
        }
    }
}
