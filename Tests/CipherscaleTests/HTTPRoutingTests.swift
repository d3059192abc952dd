import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("HTTP behaviour: routing, content negotiation and request ids")
struct HTTPRoutingTests: HTTPTestSupport {
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

            let conflict = try await world.request(
                .post, "/tenants/users", json: ["email": "owner@a.example", "groups": [String]()], headers: accept)
            conflict.expectProblem(.conflict)

            let unprocessable = try await world.request(
                .post, "/tenants/users", json: ["email": "y@example.com", "groups": [Self.unknownId]], headers: accept)
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
}
