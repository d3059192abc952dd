import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Tenant isolation")
struct TenantIsolationTests: IsolationTestSupport {
    /// B's own objects: a user of B, B's ADMIN role and B's Default group.
    func seedB(_ world: TestWorld) async throws -> (user: String, adminRole: String, defaultGroup: String) {
        let user = try await world.createUsers(["member@b.example"], key: world.b.adminKey)[0]
        let adminRole = try await world.roleId("ADMIN", key: world.b.adminKey)
        let defaultGroup = try await world.defaultGroupId(key: world.b.adminKey)
        return (user, adminRole, defaultGroup)
    }

    @Test("tenant B's admin key gets 404 problems for every operation on tenant A's ids, and A is left exactly as it was")
    func otherTenantIdsInPathsAreNotFound() async throws {
        try await withWorld { world in
            let a = try await seedA(world)
            let b = try await seedB(world)
            #expect(a.adminRole != b.adminRole, "each tenant has its own role rows")
            #expect(a.defaultGroup != b.defaultGroup)
            let before = try await snapshot(world)
            let keyB = Auth.key(world.b.adminKey)

            var calls: [(HTTPRequest.Method, String, Any?)] = []
            for user in a.users + [world.a.ownerId] {
                calls += [
                    (.get, "/tenants/users/\(user)", nil),
                    (.put, "/tenants/users/\(user)", ["firstName": "Taken", "lastName": "Over"]),
                    (.patch, "/tenants/users/\(user)/deactivate", nil),
                    (.post, "/tenants/users/\(user)/reactivate", nil),
                    (.post, "/tenants/users/\(user)/invite", nil),
                    (.get, "/tenants/users/\(user)/roles", nil),
                    (.get, "/tenants/users/\(user)/roles?rolesOnly=true", nil),
                    (.patch, "/tenants/users/\(user)/roles", ["addedRoles": [b.adminRole], "removedRoles": [String]()]),
                    (.patch, "/tenants/users/\(user)/roles", ["addedRoles": [String](), "removedRoles": [a.adminRole]]),
                    (.post, "/tenants/users/\(user)/groups", ["groupId": b.defaultGroup]),
                    (.post, "/tenants/users/\(user)/groups", ["groupId": a.group]),
                    (.delete, "/tenants/users/\(user)/groups/\(a.group)", nil),
                    (.delete, "/tenants/users/\(user)/groups/\(a.defaultGroup)", nil),
                    (.delete, "/tenants/users/\(user)/groups/\(b.defaultGroup)", nil),
                    (.delete, "/tenants/roles/\(a.adminRole)/users/\(user)", nil),
                    (.delete, "/tenants/roles/\(b.adminRole)/users/\(user)", nil),
                    (.delete, "/tenants/users/\(user)", nil),
                ]
            }
            // B's own user with A's group or role in the path.
            calls += [
                (.delete, "/tenants/users/\(b.user)/groups/\(a.group)", nil),
                (.delete, "/tenants/users/\(b.user)/groups/\(a.defaultGroup)", nil),
                (.delete, "/tenants/roles/\(a.adminRole)/users/\(b.user)", nil),
            ]
            for group in [a.group, a.defaultGroup] {
                calls += [
                    (.get, "/tenants/groups/\(group)", nil),
                    (.put, "/tenants/groups/\(group)", ["name": "Renamed by B", "roles": [String]()]),
                    (.delete, "/tenants/groups/\(group)", nil),
                ]
            }
            for role in [a.adminRole, a.billingRole, a.ownerRole] {
                calls += [
                    (.get, "/tenants/roles/\(role)", nil),
                    (.get, "/tenants/roles/\(role)/users", nil),
                    (.get, "/tenants/roles/\(role)/users?groups=true", nil),
                ]
            }
            calls.append((.delete, "/tenants/roles/\(a.ownerRole)/users/\(world.a.ownerId)", nil))

            for (method, path, body) in calls {
                let reply = try await world.request(method, path, auth: keyB, json: body)
                #expect(reply.status == .notFound, "\(method) \(path): \(reply.status.code) \(reply.text)")
                #expect(reply.contentType == "application/problem+json", "\(method) \(path)")
                #expect(reply.object["status"] as? Int == 404, "\(method) \(path)")
            }

            let after = try await snapshot(world)
            expectUnchanged(before, after)
        }
    }

    @Test("tenant B referring to tenant A's groups or roles in a body gets 422, and neither tenant changes")
    func otherTenantIdsInBodiesAreUnprocessable() async throws {
        try await withWorld { world in
            let a = try await seedA(world)
            let b = try await seedB(world)
            let keyB = Auth.key(world.b.adminKey)
            let before = try await snapshot(world)
            let bUserBefore = try await world.request(.get, "/tenants/users/\(b.user)", auth: keyB)
            let bGroup = try await world.request(.post, "/tenants/groups", auth: keyB, json: ["name": "B Team", "roles": [String]()])
            #expect(bGroup.status == .created)
            let bGroupId = try #require(bGroup.object["id"] as? String)

            let create = try await world.request(.post, "/tenants/users", auth: keyB, json: ["email": "sneaky@b.example", "groups": [a.group]])
            create.expectProblem(.unprocessableContent)
            #expect(create.pointers == ["/groups/0"])

            let batch = try await world.request(
                .post, "/tenants/users", auth: keyB,
                json: [
                    ["email": "fine@b.example", "groups": [b.defaultGroup]],
                    ["email": "sneaky2@b.example", "groups": [b.defaultGroup, a.defaultGroup]],
                ])
            batch.expectProblem(.unprocessableContent)
            #expect(batch.pointers == ["/1/groups/1"])

            let addRole = try await world.request(
                .patch, "/tenants/users/\(b.user)/roles", auth: keyB, json: ["addedRoles": [a.adminRole], "removedRoles": [String]()]
            )
            addRole.expectProblem(.unprocessableContent)
            let removeRole = try await world.request(
                .patch, "/tenants/users/\(b.user)/roles", auth: keyB, json: ["addedRoles": [String](), "removedRoles": [a.billingRole]]
            )
            removeRole.expectProblem(.unprocessableContent)

            let join = try await world.request(.post, "/tenants/users/\(b.user)/groups", auth: keyB, json: ["groupId": a.group])
            join.expectProblem(.unprocessableContent)
            let joinDefault = try await world.request(.post, "/tenants/users/\(b.user)/groups", auth: keyB, json: ["groupId": a.defaultGroup])
            joinDefault.expectProblem(.unprocessableContent)

            let newGroup = try await world.request(.post, "/tenants/groups", auth: keyB, json: ["name": "Borrowed roles", "roles": [a.adminRole]])
            newGroup.expectProblem(.unprocessableContent)
            let putGroup = try await world.request(
                .put, "/tenants/groups/\(bGroupId)", auth: keyB, json: ["name": "B Team", "roles": [a.billingRole]])
            putGroup.expectProblem(.unprocessableContent)

            let bUsers = try await world.request(.get, "/tenants/users?limit=100", auth: keyB)
            #expect(bUsers.object["total"] as? Int == 2, "only B's owner and member: \(bUsers.text)")
            let bGroups = try await world.request(.get, "/tenants/groups?limit=100", auth: keyB)
            #expect(Set((bGroups.object["data"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }) == ["Default", "B Team"])
            let bUserAfter = try await world.request(.get, "/tenants/users/\(b.user)", auth: keyB)
            #expect(Self.canonical(bUserAfter.json) == Self.canonical(bUserBefore.json))
            let bGroupAfter = try await world.request(.get, "/tenants/groups/\(bGroupId)", auth: keyB)
            #expect((bGroupAfter.object["roles"] as? [Any])?.isEmpty == true)

            let after = try await snapshot(world)
            expectUnchanged(before, after)
        }
    }

    @Test("tenant B's lists, filters, searches and role holders never show tenant A's users, groups or roles")
    func listsStayWithinTheTenant() async throws {
        try await withWorld { world in
            let a = try await seedA(world)
            let b = try await seedB(world)
            let keyB = Auth.key(world.b.adminKey)
            let aUsers = Set(a.users + [world.a.ownerId])

            let users = try await world.request(.get, "/tenants/users?limit=100", auth: keyB)
            #expect(users.status == .ok)
            let ids = Set((users.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            #expect(ids == [world.b.ownerId, b.user])
            #expect(ids.isDisjoint(with: aUsers))
            #expect(users.object["total"] as? Int == 2)

            for query in [
                "filter[id]=\(a.plain)", "filter[id][in]=\(a.plain),\(a.admin)", "filter[email][ilike]=%25a.example",
                "search=a.example", "filter[groups.id]=\(a.group)", "filter[roles.id]=\(a.adminRole)", "filter[email]=owner@a.example",
            ] {
                let reply = try await world.request(.get, "/tenants/users?\(query)", auth: keyB)
                #expect(reply.status == .ok, "\(query): \(reply.text)")
                #expect(reply.object["total"] as? Int == 0, "\(query): \(reply.text)")
            }

            let groups = try await world.request(.get, "/tenants/groups?limit=100", auth: keyB)
            let groupIds = Set((groups.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            #expect(groupIds == [b.defaultGroup])
            let defaultGroup = try await world.request(.get, "/tenants/groups/\(b.defaultGroup)", auth: keyB)
            let members = Set((defaultGroup.object["users"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            #expect(members == [world.b.ownerId, b.user])

            let roles = try await world.request(.get, "/tenants/roles", auth: keyB)
            let roleIds = Set(roles.array.compactMap { $0["id"] as? String })
            #expect(roleIds.count == 7)
            #expect(!roleIds.contains(a.adminRole) && !roleIds.contains(a.billingRole) && !roleIds.contains(a.ownerRole))

            for type in ["ADMIN", "BILLING", "DEFAULT", "OWNER"] {
                let role = try await world.roleId(type, key: world.b.adminKey)
                let holders = try await world.request(.get, "/tenants/roles/\(role)/users?groups=true", auth: keyB)
                #expect(holders.status == .ok)
                let holderIds = Set(holders.array.compactMap { $0["id"] as? String })
                #expect(holderIds.isDisjoint(with: aUsers), "\(type)")
            }
        }
    }

    @Test("tenant B's audit log never shows tenant A's changes, even when asked for A's ids")
    func auditLogStaysWithinTheTenant() async throws {
        try await withWorld { world in
            let a = try await seedA(world)
            let all = try await world.request(.get, "/tenants/audit-events?limit=200", auth: .key(world.b.adminKey))
            #expect(all.status == .ok)
            let text = all.text
            for id in a.users + [a.group, world.a.ownerId, world.a.id] { #expect(!text.contains(id)) }
            for id in a.users + [a.group, world.a.ownerId] {
                let reply = try await world.request(.get, "/tenants/audit-events?targetId=\(id)", auth: .key(world.b.adminKey))
                #expect(reply.status == .ok)
                #expect((reply.object["data"] as? [[String: Any]])?.isEmpty == true)
            }
            // And A's own log does hold them.
            let own = try await world.request(.get, "/tenants/audit-events?targetId=\(a.plain)")
            #expect((own.object["data"] as? [[String: Any]])?.isEmpty == false)
        }
    }
}
