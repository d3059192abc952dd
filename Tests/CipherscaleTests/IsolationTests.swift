import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Tenant isolation and keys")
struct IsolationTests {
    /// Tenant A's data for the suite: users (one in a custom group, one with a direct ADMIN role,
    /// one plain), a custom group that grants BILLING, and A's roles.
    struct TenantA {
        var grouped: String
        var admin: String
        var plain: String
        var group: String
        var defaultGroup: String
        var adminRole: String
        var billingRole: String
        var ownerRole: String
        var users: [String] { [grouped, admin, plain] }
    }

    func seedA(_ world: TestWorld) async throws -> TenantA {
        let adminRole = try await world.roleId("ADMIN")
        let billingRole = try await world.roleId("BILLING")
        let ownerRole = try await world.roleId("OWNER")
        let defaultGroup = try await world.defaultGroupId()
        let group = try await world.createGroup("A Engineering", roles: [billingRole])
        let grouped = try await world.createUsers(["grouped@a.example"], groups: [group])[0]
        let created = try await world.createUsers(["admin@a.example", "plain@a.example"])
        let patched = try await world.request(.patch, "/tenants/users/\(created[0])/roles", json: ["addedRoles": [adminRole], "removedRoles": [String]()])
        #expect(patched.status == .ok, "\(patched.text)")
        let put = try await world.request(.put, "/tenants/users/\(created[1])", json: ["firstName": "Plain", "lastName": "User"])
        #expect(put.status == .ok, "\(put.text)")
        return TenantA(
            grouped: grouped, admin: created[0], plain: created[1], group: group, defaultGroup: defaultGroup,
            adminRole: adminRole, billingRole: billingRole, ownerRole: ownerRole
        )
    }

    /// Canonical text of parsed JSON, so two answers compare equal when their JSON is equal.
    static func canonical(_ json: Any?) -> String {
        guard let json, let data = try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .fragmentsAllowed]) else {
            return "<no JSON>"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Everything tenant A's admin can read (every list, user, user's roles, group, role holders),
    /// plus A's invitations in the database, keyed by path.
    func snapshot(_ world: TestWorld) async throws -> [String: String] {
        var result: [String: String] = [:]
        let users = try await world.request(.get, "/tenants/users?limit=100")
        #expect(users.status == .ok)
        result["/tenants/users?limit=100"] = Self.canonical(users.json)
        let userIds = (users.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(userIds.count == 4)
        let groups = try await world.request(.get, "/tenants/groups?limit=100")
        #expect(groups.status == .ok)
        result["/tenants/groups?limit=100"] = Self.canonical(groups.json)
        let groupIds = (groups.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(groupIds.count == 2)
        let roles = try await world.request(.get, "/tenants/roles")
        #expect(roles.status == .ok)
        result["/tenants/roles"] = Self.canonical(roles.json)
        let roleIds = roles.array.compactMap { $0["id"] as? String }
        #expect(roleIds.count == 7)

        var paths: [String] = ["/tenants/audit-events?limit=200", "/tenants/devices?limit=100"]
        for id in userIds { paths += ["/tenants/users/\(id)", "/tenants/users/\(id)/roles"] }
        for id in groupIds { paths.append("/tenants/groups/\(id)") }
        for id in roleIds { paths += ["/tenants/roles/\(id)", "/tenants/roles/\(id)/users?groups=true"] }
        for path in paths {
            let reply = try await world.request(.get, path)
            #expect(reply.status == .ok, "\(path): \(reply.text)")
            result[path] = Self.canonical(reply.json)
        }
        let invitations = try await world.pool.read { db in
            try await db.raw(
                "SELECT id, user_id, token_hash, status, expires_at FROM invitations WHERE tenant_id = \(bind: world.a.id) ORDER BY id"
            ).all().map { row in
                [
                    try row.decode(column: "id", as: String.self), try row.decode(column: "user_id", as: String.self),
                    try row.decode(column: "token_hash", as: String.self), try row.decode(column: "status", as: String.self),
                    String(try row.decode(column: "expires_at", as: Int64.self)),
                ].joined(separator: " ")
            }
        }
        result["db:invitations"] = invitations.joined(separator: "\n")
        return result
    }

    func expectUnchanged(_ before: [String: String], _ after: [String: String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(after.keys.sorted() == before.keys.sorted(), sourceLocation: sourceLocation)
        for key in before.keys.sorted() {
            #expect(after[key] == before[key], "\(key) changed", sourceLocation: sourceLocation)
        }
    }

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

            let batch = try await world.request(.post, "/tenants/users", auth: keyB, json: [
                ["email": "fine@b.example", "groups": [b.defaultGroup]], ["email": "sneaky2@b.example", "groups": [b.defaultGroup, a.defaultGroup]],
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
            let putGroup = try await world.request(.put, "/tenants/groups/\(bGroupId)", auth: keyB, json: ["name": "B Team", "roles": [a.billingRole]])
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

    @Test("a missing, unknown, garbage or wrong-secret key is 401 problem+json on reads and writes alike")
    func badKeysAreUnauthorized() async throws {
        try await withWorld { world in
            let a = try await seedA(world)
            let before = try await snapshot(world)
            let wrongSecret = String(world.a.adminKey.dropLast(4)) + (world.a.adminKey.hasSuffix("AAAA") ? "BBBB" : "AAAA")
            let keys: [(String, Auth)] = [
                ("missing", .none), ("unknown", .key("csk_0000000000000000_xxx")), ("garbage", .key("not a key at all")),
                ("empty", .key("")), ("wrong secret", .key(wrongSecret)), ("bearer style", .key("Bearer \(world.a.adminKey)")),
            ]
            let calls: [(HTTPRequest.Method, String, Any?)] = [
                (.get, "/tenants/users", nil),
                (.get, "/tenants/users/\(a.plain)", nil),
                (.get, "/tenants/roles", nil),
                (.get, "/tenants/groups", nil),
                (.post, "/tenants/users", ["email": "intruder@a.example", "groups": [String]()]),
                (.put, "/tenants/users/\(a.plain)", ["firstName": "Intruder"]),
                (.delete, "/tenants/users/\(a.plain)", nil),
                (.delete, "/tenants/groups/\(a.group)", nil),
            ]
            for (label, auth) in keys {
                for (method, path, body) in calls {
                    let reply = try await world.request(method, path, auth: auth, json: body)
                    #expect(reply.status == .unauthorized, "\(label) key, \(method) \(path): \(reply.status.code) \(reply.text)")
                    #expect(reply.contentType == "application/problem+json", "\(label) key, \(method) \(path)")
                    #expect(reply.object["status"] as? Int == 401, "\(label) key, \(method) \(path)")
                }
            }
            expectUnchanged(before, try await snapshot(world))
        }
    }

    @Test("a revoked key is refused with 401 on the very next request, while the tenant's other keys keep working")
    func revokedKeysAreUnauthorized() async throws {
        try await withWorld { world in
            let (record, key) = try await world.services.keys.create(tenant: TenantID(world.a.id)!, readOnly: false)
            let first = try await world.request(.get, "/tenants/users", auth: .key(key))
            #expect(first.status == .ok)
            let created = try await world.request(.post, "/tenants/users", auth: .key(key), json: ["email": "before-revoke@a.example", "groups": [String]()])
            #expect(created.status == .created)

            #expect(try await world.services.keys.revoke(record.id))
            let keys = try await world.services.keys.list(tenant: TenantID(world.a.id)!)
            #expect(keys.first { $0.id == record.id }?.revokedAt != nil)

            let read = try await world.request(.get, "/tenants/users", auth: .key(key))
            read.expectProblem(.unauthorized)
            let write = try await world.request(.post, "/tenants/users", auth: .key(key), json: ["email": "after-revoke@a.example", "groups": [String]()])
            write.expectProblem(.unauthorized)

            let stillWorks = try await world.request(.get, "/tenants/users?filter[email][ilike]=%25revoke%25")
            #expect(stillWorks.status == .ok)
            #expect((stillWorks.object["data"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String } == ["before-revoke@a.example"])
            let readOnly = try await world.request(.get, "/tenants/roles", auth: .key(world.a.readOnlyKey))
            #expect(readOnly.status == .ok)

            // Revoking tenant A's original admin key, found through the store, ends it too.
            let adminRecord = try #require(keys.first { !$0.readOnly && $0.id != record.id })
            #expect(try await world.services.keys.revoke(adminRecord.id))
            try await world.request(.get, "/tenants/users").expectProblem(.unauthorized)
            let bStill = try await world.request(.get, "/tenants/users", auth: .key(world.b.adminKey))
            #expect(bStill.status == .ok)
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

    /// Their timing is measured from outside, by `scripts/bench.sh` (two wrk scenarios, one per kind
    /// of refusal): no test in CI depends on timing.
    @Test("an unknown prefix and a wrong secret are refused identically: same status, headers and problem body")
    func refusalsAreAlike() async throws {
        try await withWorld { world in
            let known = try #require(APIKeySecret.parse(world.a.adminKey))
            let wrongSecret = APIKeySecret(prefix: known.prefix, secret: Secrets.randomToken()).text
            let unknownPrefix = APIKeySecret.generate().text
            func refusal(_ key: String) async throws -> (status: Int, headers: [String], body: [String: String]) {
                let reply = try await world.request(.get, "/tenants/users", auth: .key(key))
                var body: [String: String] = [:]
                for (field, value) in reply.object where field != "instance" && field != "requestId" { body[field] = "\(value)" }
                let headers = reply.headers.map { "\($0.name)" }.filter { $0.lowercased() != "x-request-id" }.sorted()
                return (reply.status.code, headers, body)
            }
            let wrong = try await refusal(wrongSecret)
            let unknown = try await refusal(unknownPrefix)
            #expect(wrong.status == 401)
            #expect(wrong.status == unknown.status)
            #expect(wrong.headers == unknown.headers)
            #expect(wrong.body == unknown.body)
            // The directory gives the same error for both, not only the HTTP layer.
            for key in [wrongSecret, unknownPrefix] {
                await #expect(throws: DirectoryError(.unauthorized, "The API key is not valid.")) {
                    _ = try await world.services.keys.authenticate(apiKey: key)
                }
            }
        }
    }

    @Test("a read-only key gets 403 on every write, 200 on every read, and nothing changes")
    func readOnlyKeysCannotWrite() async throws {
        try await withWorld { world in
            let a = try await seedA(world)
            let before = try await snapshot(world)
            let readOnly = Auth.key(world.a.readOnlyKey)
            let writes: [(HTTPRequest.Method, String, Any?)] = [
                (.post, "/tenants/users", ["email": "ro@a.example", "groups": [String]()]),
                (.post, "/tenants/users", [["email": "ro1@a.example", "groups": [String]()]]),
                (.put, "/tenants/users/\(a.plain)", ["firstName": "Changed"]),
                (.delete, "/tenants/users/\(a.plain)", nil),
                (.patch, "/tenants/users/\(a.plain)/deactivate", nil),
                (.post, "/tenants/users/\(a.plain)/reactivate", nil),
                (.post, "/tenants/users/\(a.plain)/invite", nil),
                (.patch, "/tenants/users/\(a.plain)/roles", ["addedRoles": [a.adminRole], "removedRoles": [String]()]),
                (.post, "/tenants/users/\(a.plain)/groups", ["groupId": a.group]),
                (.delete, "/tenants/users/\(a.grouped)/groups/\(a.group)", nil),
                (.delete, "/tenants/roles/\(a.adminRole)/users/\(a.admin)", nil),
                (.post, "/tenants/groups", ["name": "Read-only made this", "roles": [String]()]),
                (.put, "/tenants/groups/\(a.group)", ["name": "Renamed", "roles": [String]()]),
                (.delete, "/tenants/groups/\(a.group)", nil),
            ]
            for (method, path, body) in writes {
                let reply = try await world.request(method, path, auth: readOnly, json: body)
                #expect(reply.status == .forbidden, "\(method) \(path): \(reply.status.code) \(reply.text)")
                #expect(reply.contentType == "application/problem+json", "\(method) \(path)")
                #expect(reply.object["status"] as? Int == 403, "\(method) \(path)")
            }

            let reads = [
                "/tenants/users", "/tenants/users?limit=100&sort=-email", "/tenants/users/\(a.plain)", "/tenants/users/\(a.admin)/roles",
                "/tenants/users/\(a.grouped)/roles?groupsOnly=true", "/tenants/roles", "/tenants/roles/\(a.adminRole)",
                "/tenants/roles/\(a.billingRole)/users?groups=true", "/tenants/groups", "/tenants/groups/\(a.group)",
            ]
            for path in reads {
                let reply = try await world.request(.get, path, auth: readOnly)
                #expect(reply.status == .ok, "GET \(path): \(reply.status.code) \(reply.text)")
                #expect(reply.contentType?.hasPrefix("application/json") == true, "GET \(path)")
                let asAdmin = try await world.request(.get, path)
                #expect(Self.canonical(reply.json) == Self.canonical(asAdmin.json), "GET \(path) reads the same as the admin key")
            }

            expectUnchanged(before, try await snapshot(world))
        }
    }
}
