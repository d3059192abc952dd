import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("HTTP behaviour")
struct HTTPTests {
    static let unknownId = "550e8400-e29b-41d4-a716-446655440000"

    func total(_ world: TestWorld) async throws -> Int? {
        try await world.request(.get, "/tenants/users?limit=0").object["total"] as? Int
    }

    @Test("errors are application/problem+json even when the client sends Accept: application/json")
    func errorsIgnoreAccept() async throws {
        try await withWorld { world in
            let accept = ["Accept": "application/json"]
            let notFound = try await world.request(.get, "/tenants/users/\(Self.unknownId)", headers: accept)
            notFound.expectProblem(.notFound)
            #expect(notFound.object["detail"] is String)

            let badBody = try await world.request(.post, "/tenants/users", rawBody: "{\"email\": ", headers: accept)
            badBody.expectProblem(.badRequest)

            let missingField = try await world.request(.post, "/tenants/users", json: ["email": "x@example.com"], headers: accept)
            missingField.expectProblem(.badRequest)

            let unauthorized = try await world.request(.get, "/tenants/users", auth: .none, headers: accept)
            unauthorized.expectProblem(.unauthorized)

            let forbidden = try await world.request(
                .delete, "/tenants/users/\(world.a.ownerId)", auth: .key(world.a.readOnlyKey), headers: accept
            )
            forbidden.expectProblem(.forbidden)

            let conflict = try await world.request(.post, "/tenants/users", json: ["email": "owner@a.example", "groups": [String]()], headers: accept)
            conflict.expectProblem(.conflict)

            let unprocessable = try await world.request(.post, "/tenants/users", json: ["email": "y@example.com", "groups": [Self.unknownId]], headers: accept)
            unprocessable.expectProblem(.unprocessableContent)

            let problemAccept = try await world.request(
                .get, "/tenants/groups/\(Self.unknownId)", headers: ["Accept": "application/json, application/problem+json;q=0.9"]
            )
            problemAccept.expectProblem(.notFound)

            let success = try await world.request(.get, "/tenants/users/\(world.a.ownerId)", headers: accept)
            #expect(success.status == .ok)
            #expect(success.contentType?.hasPrefix("application/json") == true)
        }
    }

    @Test("a malformed UUID in a path is 400 problem+json and touches nothing", arguments: [
        (HTTPRequest.Method.get, "/tenants/users/not-a-uuid"),
        (.delete, "/tenants/groups/123"),
        (.get, "/tenants/groups/123"),
        (.get, "/tenants/roles/xyz"),
        (.get, "/tenants/roles/xyz/users"),
        (.delete, "/tenants/users/not-a-uuid"),
        (.patch, "/tenants/users/not-a-uuid/deactivate"),
        (.get, "/tenants/users/550e8400e29b41d4a716446655440000"),
    ])
    func malformedPathIds(method: HTTPRequest.Method, path: String) async throws {
        try await withWorld { world in
            let reply = try await world.request(method, path)
            reply.expectProblem(.badRequest)
            #expect(try await total(world) == 1)
        }
    }

    @Test("a malformed UUID in the second path parameter is 400 too")
    func malformedSecondPathIds() async throws {
        try await withWorld { world in
            let owner = world.a.ownerId
            try await world.request(.delete, "/tenants/users/\(owner)/groups/nope").expectProblem(.badRequest)
            let role = try await world.roleId("ADMIN")
            try await world.request(.delete, "/tenants/roles/\(role)/users/nope").expectProblem(.badRequest)
            let user = try await world.request(.get, "/tenants/users/\(owner)")
            #expect((user.object["groups"] as? [Any])?.count == 1)
        }
    }

    @Test("a body that is not valid JSON is 400 problem+json and creates nothing")
    func invalidJSONBodies() async throws {
        try await withWorld { world in
            for body in ["{\"email\": ", "not json", "{'email': 'a@b.com', 'groups': []}", "{\"email\":\"a@b.com\"}}", ""] {
                let reply = try await world.request(.post, "/tenants/users", rawBody: body)
                reply.expectProblem(.badRequest)
            }
            let id = try await world.createUsers(["json@example.com"])[0]
            try await world.request(.put, "/tenants/users/\(id)", rawBody: "{\"firstName\":").expectProblem(.badRequest)
            try await world.request(.patch, "/tenants/users/\(id)/roles", rawBody: "[[[").expectProblem(.badRequest)
            try await world.request(.post, "/tenants/groups", rawBody: "{name: Ops}").expectProblem(.badRequest)
            #expect(try await total(world) == 2)
        }
    }

    @Test("a trailing comma is not JSON, so a body with one is 400 and creates nothing")
    func trailingCommaIsInvalidJSON() async throws {
        try await withWorld { world in
            let object = try await world.request(.post, "/tenants/users", rawBody: "{\"email\":\"comma@example.com\",\"groups\":[],}")
            object.expectProblem(.badRequest)
            let array = try await world.request(.post, "/tenants/users", rawBody: "[{\"email\":\"comma2@example.com\",\"groups\":[]},]")
            array.expectProblem(.badRequest)
            #expect(try await total(world) == 1)
        }
    }

    @Test("a field of the wrong type is 400 and names the field")
    func wrongTypes() async throws {
        try await withWorld { world in
            let email = try await world.request(.post, "/tenants/users", json: ["email": 5, "groups": [String]()])
            email.expectProblem(.badRequest)
            #expect(email.pointers == ["/email"])

            let groups = try await world.request(.post, "/tenants/users", json: ["email": "t@example.com", "groups": "Default"])
            groups.expectProblem(.badRequest)
            #expect(groups.pointers == ["/groups"])

            let id = try await world.createUsers(["typed@example.com"])[0]
            let name = try await world.request(.put, "/tenants/users/\(id)", json: ["firstName": 5])
            name.expectProblem(.badRequest)
            #expect(name.pointers == ["/firstName"])
            let roles = try await world.request(.patch, "/tenants/users/\(id)/roles", json: ["addedRoles": "ADMIN", "removedRoles": [String]()])
            roles.expectProblem(.badRequest)
            #expect(roles.pointers == ["/addedRoles"])
            let user = try await world.request(.get, "/tenants/users/\(id)")
            #expect(user.object["firstName"] as? String == nil)
            #expect(try await total(world) == 2)
        }
    }

    @Test("a missing required field is 400 with an errors pointer naming it")
    func missingFields() async throws {
        try await withWorld { world in
            let noGroups = try await world.request(.post, "/tenants/users", json: ["email": "m@example.com"])
            noGroups.expectProblem(.badRequest)
            #expect(noGroups.pointers == ["/groups"])

            let noEmail = try await world.request(.post, "/tenants/users", json: ["groups": [String]()])
            noEmail.expectProblem(.badRequest)
            #expect(noEmail.pointers == ["/email"])

            let id = try await world.createUsers(["fields@example.com"])[0]
            let noRemoved = try await world.request(.patch, "/tenants/users/\(id)/roles", json: ["addedRoles": [String]()])
            noRemoved.expectProblem(.badRequest)
            #expect(noRemoved.pointers == ["/removedRoles"])

            let noGroupId = try await world.request(.post, "/tenants/users/\(id)/groups", json: [String: String]())
            noGroupId.expectProblem(.badRequest)
            #expect(noGroupId.pointers == ["/groupId"])

            let noName = try await world.request(.post, "/tenants/groups", json: ["roles": [String]()])
            noName.expectProblem(.badRequest)
            #expect(noName.pointers == ["/name"])
            #expect(try await total(world) == 2)
        }
    }

    @Test("a body over 1 MiB is 413 problem+json and creates nothing, while a body just under it is read")
    func oversizedBodies() async throws {
        try await withWorld { world in
            let limit = 1 << 20
            let user = "{\"email\":\"big@example.com\",\"groups\":[]}"
            let over = user + String(repeating: " ", count: limit + 1 - user.utf8.count)
            #expect(over.utf8.count == limit + 1)
            try await world.request(.post, "/tenants/users", rawBody: over).expectProblem(.contentTooLarge)

            let huge = "[" + String(repeating: "{\"email\":\"padding@example.com\",\"groups\":[]},", count: 40_000) + "{}]"
            try await world.request(.post, "/tenants/users", rawBody: huge).expectProblem(.contentTooLarge)
            let owner = world.a.ownerId
            try await world.request(.put, "/tenants/users/\(owner)", rawBody: "{\"firstName\":\"" + String(repeating: "x", count: limit) + "\"}")
                .expectProblem(.contentTooLarge)
            #expect(try await total(world) == 1)

            let under = user + String(repeating: " ", count: limit - 1024 - user.utf8.count)
            let accepted = try await world.request(.post, "/tenants/users", rawBody: under)
            #expect(accepted.status == .created, "\(accepted.text)")
            #expect(try await total(world) == 2)
        }
    }

    @Test("a body with a non-JSON content type is 415 problem+json and creates nothing")
    func unsupportedMediaType() async throws {
        try await withWorld { world in
            let body = "{\"email\":\"media@example.com\",\"groups\":[]}"
            for type in ["text/plain", "application/x-www-form-urlencoded", "application/xml"] {
                let reply = try await world.request(.post, "/tenants/users", rawBody: body, headers: ["Content-Type": type])
                reply.expectProblem(.unsupportedMediaType)
            }
            let form = try await world.request(.put, "/tenants/users/\(world.a.ownerId)", rawBody: "firstName=Eve", headers: ["Content-Type": "text/plain"])
            form.expectProblem(.unsupportedMediaType)
            #expect(try await total(world) == 1)
            let charset = try await world.request(.post, "/tenants/users", rawBody: body, headers: ["Content-Type": "application/json; charset=utf-8"])
            #expect(charset.status == .created, "\(charset.text)")
        }
    }

    @Test("an Accept header that allows only text/html is 406 problem+json")
    func notAcceptable() async throws {
        try await withWorld { world in
            let list = try await world.request(.get, "/tenants/users", headers: ["Accept": "text/html"])
            list.expectProblem(.notAcceptable)
            let create = try await world.request(
                .post, "/tenants/users", json: ["email": "html@example.com", "groups": [String]()], headers: ["Accept": "text/html"]
            )
            create.expectProblem(.notAcceptable)
            #expect(try await total(world) == 1)
            for accept in ["*/*", "application/*", "text/html, application/json;q=0.5", "application/problem+json"] {
                let reply = try await world.request(.get, "/tenants/users", headers: ["Accept": accept])
                #expect(reply.status == .ok, "\(accept): \(reply.text)")
            }
        }
    }

    @Test("an unknown route is 404 problem+json")
    func unknownRoutes() async throws {
        try await withWorld { world in
            for path in ["/tenants/nothing", "/tenants/users/\(Self.unknownId)/nothing", "/tenants/devices/\(Self.unknownId)/extra/more"] {
                try await world.request(.get, path).expectProblem(.notFound)
            }
            try await world.request(.get, "/nothing-here", auth: .none).expectProblem(.notFound)
            try await world.request(.post, "/v2/users", auth: .none, json: ["a": 1]).expectProblem(.notFound)
        }
    }

    @Test("a wrong method on a known path is 405 problem+json with an Allow header listing the right methods")
    func wrongMethods() async throws {
        try await withWorld { world in
            let role = try await world.roleId("ADMIN")
            let cases: [(HTTPRequest.Method, String, Set<String>)] = [
                (.patch, "/tenants/users", ["GET", "POST"]),
                (.put, "/tenants/roles", ["GET"]),
                (.delete, "/tenants/roles/\(role)", ["GET"]),
                (.post, "/tenants/users/\(world.a.ownerId)/deactivate", ["PATCH"]),
                (.get, "/tenants/users/\(world.a.ownerId)/invite", ["POST"]),
                (.put, "/tenants/groups", ["GET", "POST"]),
            ]
            for (method, path, allowed) in cases {
                let reply = try await world.request(method, path)
                reply.expectProblem(.methodNotAllowed)
                let allow = Set((reply.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() })
                #expect(allowed.isSubset(of: allow), "\(method) \(path): Allow \(allow)")
                #expect(!allow.contains(method.rawValue), "\(method) \(path): Allow \(allow)")
            }
            let user = try await world.request(.get, "/tenants/users/\(world.a.ownerId)")
            #expect(user.object["status"] as? String == "active" || user.object["status"] as? String == "pending")
        }
    }

    @Test("every response carries an X-Request-Id, echoing the client's own when it sends one")
    func requestIds() async throws {
        try await withWorld { world in
            var generated: [String] = []
            let replies: [Reply] = [
                try await world.request(.get, "/health", auth: .none),
                try await world.request(.get, "/openapi.yaml", auth: .none),
                try await world.request(.get, "/tenants/users"),
                try await world.request(.post, "/tenants/users", json: ["email": "rid@example.com", "groups": [String]()]),
                try await world.request(.get, "/tenants/users/\(Self.unknownId)"),
                try await world.request(.get, "/tenants/users", auth: .none),
                try await world.request(.patch, "/tenants/users"),
                try await world.request(.get, "/nowhere", auth: .none),
                try await world.request(.post, "/tenants/users", rawBody: "{"),
                try await world.request(.delete, "/tenants/users/\(world.a.ownerId)"),
            ]
            for reply in replies {
                let id = reply.headers[HTTPField.Name("X-Request-Id")!]
                #expect(id?.isEmpty == false, "\(reply.status.code) \(reply.text)")
                if let id { generated.append(id) }
                if reply.contentType == "application/problem+json", let inBody = reply.object["requestId"] as? String {
                    #expect(inBody == id)
                }
            }
            #expect(Set(generated).count == generated.count, "generated ids are unique")

            for (method, path) in [
                (HTTPRequest.Method.get, "/tenants/users"), (.get, "/tenants/users/\(Self.unknownId)"), (.get, "/health"), (.put, "/tenants/roles"),
            ] {
                let reply = try await world.request(method, path, headers: ["X-Request-Id": "client-trace-42"])
                #expect(reply.headers[HTTPField.Name("X-Request-Id")!] == "client-trace-42", "\(method) \(path)")
            }
            let problem = try await world.request(.get, "/tenants/groups/\(Self.unknownId)", headers: ["X-Request-Id": "trace-problem-7"])
            #expect(problem.headers[HTTPField.Name("X-Request-Id")!] == "trace-problem-7")
            if let inBody = problem.object["requestId"] as? String { #expect(inBody == "trace-problem-7") }
        }
    }

    @Test("GET /health answers 200 JSON without an API key")
    func health() async throws {
        try await withWorld { world in
            let reply = try await world.request(.get, "/health", auth: .none)
            #expect(reply.status == .ok)
            #expect(reply.contentType?.hasPrefix("application/json") == true)
            #expect(reply.object["status"] is String)
        }
    }

    @Test("GET /openapi.yaml serves the OpenAPI 3.1 contract without an API key")
    func openAPIDocument() async throws {
        try await withWorld { world in
            let reply = try await world.request(.get, "/openapi.yaml", auth: .none)
            #expect(reply.status == .ok)
            #expect(reply.text.contains("openapi: 3.1"))
            #expect(reply.text.contains("operationId: listUsers"))
            #expect(reply.text.contains("/tenants/roles/{id}/users/{userId}"))
        }
    }

    @Test("another tenant's id in the path is 404 even when the body is invalid JSON or mistyped")
    func pathResolvedBeforeBody() async throws {
        try await withWorld { world in
            let bUser = try await world.createUsers(["victim@b.example"], key: world.b.adminKey)[0]
            let bGroup = try await world.defaultGroupId(key: world.b.adminKey)
            for user in [bUser, Self.unknownId] {
                try await world.request(.put, "/tenants/users/\(user)", rawBody: "{not json").expectProblem(.notFound)
                try await world.request(.put, "/tenants/users/\(user)", json: ["firstName": 5]).expectProblem(.notFound)
                try await world.request(.patch, "/tenants/users/\(user)/roles", rawBody: "{\"addedRoles\":").expectProblem(.notFound)
                try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [String]()]).expectProblem(.notFound)
                try await world.request(.post, "/tenants/users/\(user)/groups", rawBody: "]").expectProblem(.notFound)
                try await world.request(.post, "/tenants/users/\(user)/groups", json: ["groupId": "not-a-uuid"]).expectProblem(.notFound)
            }
            for group in [bGroup, Self.unknownId] {
                try await world.request(.put, "/tenants/groups/\(group)", rawBody: "{\"name\":").expectProblem(.notFound)
                try await world.request(.put, "/tenants/groups/\(group)", json: ["name": 7]).expectProblem(.notFound)
            }
            let victim = try await world.request(.get, "/tenants/users/\(bUser)", auth: .key(world.b.adminKey))
            #expect(victim.status == .ok)
            #expect(victim.object["firstName"] as? String == nil)
        }
    }

    @Test("maxDevices is present as JSON null in every User answer")
    func maxDevicesIsNull() async throws {
        try await withWorld { world in
            let created = try await world.request(.post, "/tenants/users", json: ["email": "null@example.com", "groups": [String]()])
            #expect(created.status == .created)
            let id = try #require(created.object["id"] as? String)
            let role = try await world.roleId("BILLING")
            var users: [(String, [String: Any], String)] = [("create", created.object, created.text)]
            let batch = try await world.request(.post, "/tenants/users", json: [["email": "null2@example.com", "groups": [String]()]])
            users += batch.array.map { ("batch", $0, batch.text) }
            let one = try await world.request(.get, "/tenants/users/\(id)")
            users.append(("get", one.object, one.text))
            let list = try await world.request(.get, "/tenants/users?limit=100")
            users += (list.object["data"] as? [[String: Any]] ?? []).map { ("list", $0, list.text) }
            let put = try await world.request(.put, "/tenants/users/\(id)", json: ["firstName": "Nil"])
            users.append(("put", put.object, put.text))
            let roles = try await world.request(.patch, "/tenants/users/\(id)/roles", json: ["addedRoles": [role], "removedRoles": [String]()])
            users.append(("roles", roles.object, roles.text))
            let holders = try await world.request(.get, "/tenants/roles/\(role)/users")
            users += holders.array.map { ("holders", $0, holders.text) }
            let deactivated = try await world.request(.patch, "/tenants/users/\(id)/deactivate")
            users.append(("deactivate", deactivated.object, deactivated.text))
            #expect(users.count == 10)
            for (label, user, text) in users {
                #expect(user["id"] is String, "\(label): \(text)")
                #expect(user.keys.contains("maxDevices") && user["maxDevices"] is NSNull, "\(label): \(text)")
                #expect(text.contains("\"maxDevices\":null"), "\(label)")
            }
        }
    }

    @Test("timestamps are printed as UTC ISO-8601 with exactly three fractional digits")
    func timestampFormat() async throws {
        try await withWorld { world in
            let shape = try Regex(#"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"#)
            let group = try await world.createGroup("Stamped", roles: [try await world.roleId("BILLING")])
            let id = try await world.createUsers(["stamp@example.com"], groups: [group])[0]
            var stamps: [(String, Any?)] = []
            let user = try await world.request(.get, "/tenants/users/\(id)")
            stamps += [("user.createdAt", user.object["createdAt"]), ("user.updatedAt", user.object["updatedAt"])]
            for role in user.object["roles"] as? [[String: Any]] ?? [] { stamps.append(("user.roles.createdAt", role["createdAt"])) }
            for group in user.object["groups"] as? [[String: Any]] ?? [] { stamps.append(("user.groups.createdAt", group["createdAt"])) }
            let groupReply = try await world.request(.get, "/tenants/groups/\(group)")
            stamps += [("group.createdAt", groupReply.object["createdAt"]), ("group.updatedAt", groupReply.object["updatedAt"])]
            for member in groupReply.object["users"] as? [[String: Any]] ?? [] {
                stamps += [("member.createdAt", member["createdAt"]), ("member.updatedAt", member["updatedAt"])]
            }
            for role in try await world.request(.get, "/tenants/roles").array {
                stamps += [("role.createdAt", role["createdAt"]), ("role.updatedAt", role["updatedAt"])]
            }
            #expect(stamps.count >= 22)
            for (label, value) in stamps {
                let text = value as? String ?? ""
                #expect(text.wholeMatch(of: shape) != nil, "\(label): \(String(describing: value))")
                #expect(Timestamps.parse(text) != nil, "\(label): \(text)")
            }
        }
    }

    @Test("a createdAt printed by the API, percent-encoded, finds its own user with eq, gte and lte")
    func printedTimestampsFilterTheirOwnRow() async throws {
        try await withWorld { world in
            let ids = try await world.createUsers((0..<5).map { "when\($0)@example.com" })
            let target = ids[2]
            let user = try await world.request(.get, "/tenants/users/\(target)")
            let stamp = try #require(user.object["createdAt"] as? String)
            let encoded = try #require(stamp.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            for op in ["eq", "gte", "lte"] {
                let narrowed = try await world.request(.get, "/tenants/users?filter[createdAt][\(op)]=\(encoded)&filter[id]=\(target)")
                #expect(narrowed.status == .ok, "\(op): \(narrowed.text)")
                #expect(narrowed.object["total"] as? Int == 1, "\(op): \(narrowed.text)")
                let alone = try await world.request(.get, "/tenants/users?limit=100&filter[createdAt][\(op)]=\(encoded)")
                let found = (alone.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(found.contains(target), "\(op) without the id filter: \(alone.text)")
            }
            let plain = try await world.request(.get, "/tenants/users?limit=100&filter[createdAt]=\(encoded)")
            #expect((plain.object["data"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == target })
            // Strictly after and strictly before exclude the row itself.
            for op in ["gt", "lt"] {
                let strict = try await world.request(.get, "/tenants/users?filter[createdAt][\(op)]=\(encoded)&filter[id]=\(target)")
                #expect(strict.object["total"] as? Int == 0, "\(op): \(strict.text)")
            }
        }
    }

    /// Counts whitespace characters that are not inside a JSON string.
    static func whitespaceOutsideStrings(_ text: String) -> Int {
        var inString = false, escaped = false, count = 0
        for character in text {
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else if character == "\"" {
                inString = true
            } else if character.isWhitespace {
                count += 1
            }
        }
        return count
    }

    @Test("JSON answers are compact, with no newlines or padding")
    func compactJSON() async throws {
        try await withWorld { world in
            let id = try await world.createUsers(["compact@example.com"])[0]
            let group = try await world.createGroup("Compact")
            let paths = [
                "/tenants/users", "/tenants/users/\(id)", "/tenants/users/\(id)/roles", "/tenants/roles", "/tenants/groups",
                "/tenants/groups/\(group)", "/tenants/users/\(Self.unknownId)",
            ]
            var replies: [(String, Reply)] = []
            for path in paths { replies.append((path, try await world.request(.get, path))) }
            replies.append(("create", try await world.request(.post, "/tenants/users", json: ["email": "compact2@example.com", "groups": [String]()])))
            replies.append(("health", try await world.request(.get, "/health", auth: .none)))
            replies.append(("bad body", try await world.request(.post, "/tenants/users", json: ["email": 5, "groups": [String]()])))
            for (label, reply) in replies {
                #expect(reply.json != nil, "\(label): \(reply.text)")
                #expect(!reply.text.contains("\n"), "\(label)")
                #expect(Self.whitespaceOutsideStrings(reply.text) == 0, "\(label): \(reply.text)")
                #expect(reply.text.first == "{" || reply.text.first == "[", "\(label)")
            }
        }
    }
}

@Suite("Input that no database can store")
struct NulInputTests {
    @Test("a NUL character in a query value or a JSON string is 400, never a 500")
    func nulIsRefused() async throws {
        try await withWorld { world in
            try await world.request(.get, "/tenants/groups?search=d%00x").expectProblem(.badRequest)
            try await world.request(.get, "/tenants/users?filter[firstName]=a%00b").expectProblem(.badRequest)
            try await world.request(.post, "/tenants/users", rawBody: #"{"email":"a\u0000@example.com","groups":[]}"#).expectProblem(.badRequest)
            try await world.request(.put, "/tenants/users/\(world.a.ownerId)", rawBody: #"{"firstName":"x\u0000y"}"#).expectProblem(.badRequest)
            #expect(try await world.request(.put, "/tenants/users/\(world.a.ownerId)", rawBody: #"{"firstName":"x\u00e9y"}"#).status == .ok)
        }
    }
}
