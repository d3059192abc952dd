import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("HTTP behaviour: request validation")
struct HTTPRequestValidationTests: HTTPTestSupport {
    @Test(
        "a malformed UUID in a path is 400 problem+json and touches nothing",
        arguments: [
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
            let nothing = try await world.request(.patch, "/tenants/users/\(id)/roles", json: ["addedRoles": [String]()])
            nothing.expectProblem(.badRequest)
            #expect(nothing.pointers == ["/addedRoles"])
            #expect(nothing.problemDetail.contains("at least one role id"))

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
            let form = try await world.request(
                .put, "/tenants/users/\(world.a.ownerId)", rawBody: "firstName=Eve", headers: ["Content-Type": "text/plain"])
            form.expectProblem(.unsupportedMediaType)
            #expect(try await total(world) == 1)
            let charset = try await world.request(
                .post, "/tenants/users", rawBody: body, headers: ["Content-Type": "application/json; charset=utf-8"])
            #expect(charset.status == .created, "\(charset.text)")
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
}
