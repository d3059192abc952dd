import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import Cipherscale

/// What clients written against the published Cipherscale contract send, and get.
@Suite("Clients of the published contract")
struct PublishedContractTests {
    @Test("joining a group names it in the groupId query parameter (no body), the body, or both alike")
    func addToGroupByQuery() async throws {
        try await withWorld { world in
            let user = try await world.createUsers(["joiner@example.com"])[0]
            let first = try await world.createGroup("First")
            let second = try await world.createGroup("Second")
            let byQuery = try await world.request(.post, "/tenants/users/\(user)/groups?groupId=\(first)")
            #expect(byQuery.status == .created, "\(byQuery.text)")
            #expect((byQuery.object["groups"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == first })
            let both = try await world.request(.post, "/tenants/users/\(user)/groups?groupId=\(second.uppercased())", json: ["groupId": second])
            #expect(both.status == .created, "\(both.text)")
            let third = try await world.createGroup("Third")
            let different = try await world.request(.post, "/tenants/users/\(user)/groups?groupId=\(third)", json: ["groupId": first])
            different.expectProblem(.badRequest)
            #expect(different.problemDetail.contains("different groups"))
            let neither = try await world.request(.post, "/tenants/users/\(user)/groups")
            neither.expectProblem(.badRequest)
            #expect(neither.problemDetail.contains("groupId"))
            let groups = try await world.request(.get, "/tenants/users/\(user)").object["groups"] as? [[String: Any]] ?? []
            #expect(!groups.contains { $0["id"] as? String == third }, "a refused join changes nothing")
        }
    }

    @Test("role holders come in chunks with a Link rel=next header until the last chunk")
    func roleHoldersLink() async throws {
        try await withWorld { world in
            let support = try await world.roleId("SUPPORT")
            let group = try await world.createGroup("Support", roles: [support])
            _ = try await world.createUsers((0..<5).map { "holder\($0)@example.com" }, groups: [group])
            var seen: [String] = []
            var next: String? = "/tenants/roles/\(support)/users?groups=true&limit=2"
            var chunks = 0
            while let path = next, chunks < 10 {
                let reply = try await world.request(.get, path)
                #expect(reply.status == .ok)
                #expect(reply.headers[.init("X-Total-Count")!] == "5")
                seen += reply.array.compactMap { $0["id"] as? String }
                next = reply.headers[.init("Link")!].map { link in
                    #expect(link.hasSuffix(">; rel=\"next\""), "\(link)")
                    return String(link.dropFirst().prefix { $0 != ">" })
                }
                chunks += 1
            }
            #expect(chunks == 3)
            #expect(Set(seen).count == 5 && seen.count == 5)
        }
    }

    @Test("enumerated filter values match in any case")
    func enumerationsIgnoreCase() async throws {
        try await withWorld { world in
            _ = try await world.createUsers(["pending@example.com"])
            let upper = try await world.request(.get, "/tenants/users?filter[status][eq]=ACTIVE")
            #expect(upper.status == .ok, "\(upper.text)")
            #expect(upper.object["total"] as? Int == 1, "the owner")
            let mixed = try await world.request(.get, "/tenants/users?filter[status][in]=Pending,ACTIVE")
            #expect(mixed.object["total"] as? Int == 2)
            let devices = try await world.request(.get, "/tenants/devices?filter[status]=online")
            #expect(devices.status == .ok)
            try await world.request(.get, "/tenants/users?filter[status]=actif").expectProblem(.badRequest)
        }
    }

    @Test("BASE_PATH serves the API, the pages and the console under the prefix, and nothing outside it")
    func basePath() async throws {
        try await withWorld { world in
            let app = Application(responder: BasePathResponder(basePath: "/qa", inner: try buildRouter(services: world.services).buildResponder()))
            try await app.test(.router) { client in
                func get(_ uri: String, key: String? = nil) async throws -> Reply {
                    var headers: HTTPFields = [.accept: "application/json"]
                    if let key { headers[.init("apikey")!] = key }
                    return Reply(response: try await client.executeRequest(uri: uri, method: .get, headers: headers, body: nil))
                }
                #expect(try await get("/qa/health").status == .ok)
                #expect(try await get("/health").status == .notFound)
                #expect(try await get("/qaz/health").status == .notFound)
                #expect(try await get("/qa/tenants/users?limit=1", key: world.a.adminKey).object["total"] as? Int == 1)
                #expect(try await get("/qa/tenants/users").status == .unauthorized, "authentication still guards the prefixed API")
                let root = try await get("/qa").object["links"] as? [[String: Any]] ?? []
                #expect(
                    root.compactMap { $0["href"] as? String } == [
                        "/qa/openapi.yaml", "/qa/health", "/qa/console", "/qa/scim/v2/ServiceProviderConfig",
                    ])
                // SCIM is under the prefix too, and its locations carry it.
                var scimHeaders = HTTPFields()
                scimHeaders[.authorization] = "Bearer \(world.a.adminKey)"
                let scim = try await client.executeRequest(uri: "/qa/scim/v2/Users?count=1", method: .get, headers: scimHeaders, body: nil)
                #expect(scim.status == .ok)
                #expect(String(buffer: scim.body).contains("/qa/scim/v2/Users/"), "meta.location is under the prefix")
                let login = try await client.executeRequest(uri: "/qa/console/login", method: .get, headers: [.accept: "text/html"], body: nil)
                #expect(String(buffer: login.body).contains("action=\"/qa/console/login\""))
                let users = try await client.executeRequest(uri: "/qa/console/users", method: .get, headers: [:], body: nil)
                #expect(users.status == .seeOther)
                #expect(users.headers[.location] == "/qa/console/login")
                let support = try await world.roleId("DEFAULT")
                _ = try await world.createUsers(["one@example.com", "two@example.com"])
                let chunk = try await get("/qa/tenants/roles/\(support)/users?groups=true&limit=1", key: world.a.adminKey)
                #expect(chunk.headers[.init("Link")!]?.hasPrefix("</qa/tenants/roles/") == true)
            }
        }
    }
}
