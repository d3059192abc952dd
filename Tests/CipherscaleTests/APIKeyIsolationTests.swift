import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Tenant isolation: keys")
struct APIKeyIsolationTests: IsolationTestSupport {
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
            let created = try await world.request(
                .post, "/tenants/users", auth: .key(key), json: ["email": "before-revoke@a.example", "groups": [String]()])
            #expect(created.status == .created)

            #expect(try await world.services.keys.revoke(record.id))
            let keys = try await world.services.keys.list(tenant: TenantID(world.a.id)!)
            #expect(keys.first { $0.id == record.id }?.revokedAt != nil)

            let read = try await world.request(.get, "/tenants/users", auth: .key(key))
            read.expectProblem(.unauthorized)
            let write = try await world.request(
                .post, "/tenants/users", auth: .key(key), json: ["email": "after-revoke@a.example", "groups": [String]()])
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
