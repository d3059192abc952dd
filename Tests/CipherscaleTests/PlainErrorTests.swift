import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// Problem details a newcomer can act on: plain JSON words instead of Swift type names, every
/// query-parameter error at `query:<name>`, and unknown parameters refused by name.
@Suite("Errors in plain words")
struct PlainErrorTests: HTTPTestSupport {
    /// Words of Swift that must never reach a client.
    static let swiftWords = ["Int", "String", "Bool", "Double", "Dictionary", "Array<", "JsonPayload", "Optional", "Swift.", "Components."]

    /// Checks a 400 whose `errors` are exactly `pointers`, whose details contain `words`, and that names no Swift type.
    func expectPlain(
        _ reply: Reply, pointers: [String], words: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        reply.expectProblem(.badRequest, sourceLocation: sourceLocation)
        #expect(reply.pointers == pointers, "\(reply.text)", sourceLocation: sourceLocation)
        for word in words {
            #expect(reply.problemDetail.contains(word), "\(reply.text) lacks \(word)", sourceLocation: sourceLocation)
        }
        for word in Self.swiftWords {
            #expect(!reply.problemDetail.contains(word), "\(reply.text) names \(word)", sourceLocation: sourceLocation)
        }
    }

    @Test("a query parameter of the wrong type is named as query:<name> with the expected kind")
    func typedQueryParameters() async throws {
        try await withWorld { world in
            let owner = world.a.ownerId
            expectPlain(try await world.request(.get, "/tenants/users?limit=abc"), pointers: ["query:limit"], words: ["an integer", "abc"])
            expectPlain(try await world.request(.get, "/tenants/users?limit=-5"), pointers: ["query:limit"], words: ["non-negative integer"])
            expectPlain(try await world.request(.get, "/tenants/groups?offset=x"), pointers: ["query:offset"], words: ["an integer"])
            expectPlain(try await world.request(.get, "/tenants/audit-events?limit=ten"), pointers: ["query:limit"], words: ["an integer"])
            expectPlain(
                try await world.request(.get, "/tenants/users/\(owner)/roles?rolesOnly=maybe"), pointers: ["query:rolesOnly"],
                words: ["true or false"])
            expectPlain(
                try await world.request(.get, "/tenants/audit-events?since=yesterday"), pointers: ["query:since"], words: ["date-time"])
        }
    }

    @Test("a bad sort direction says which directions exist, and an unknown sort field lists the sortable ones")
    func sortErrors() async throws {
        try await withWorld { world in
            expectPlain(
                try await world.request(.get, "/tenants/users?sort=email:sideways"), pointers: ["query:sort"],
                words: ["'sideways'", "not a sort direction", "asc or desc"])
            expectPlain(
                try await world.request(.get, "/tenants/devices?sort=colour"), pointers: ["query:sort"], words: ["'colour'", "lastConnection"])
            expectPlain(
                try await world.request(.get, "/tenants/users?filter[email][like]=a"), pointers: ["query:filter[email][like]"],
                words: ["'like'", "ilike"])
        }
    }

    @Test("an unknown query parameter on a list is 400 naming it", arguments: ["/tenants/users", "/tenants/groups", "/tenants/devices"])
    func unknownListParameters(path: String) async throws {
        try await withWorld { world in
            expectPlain(try await world.request(.get, "\(path)?sortt=email"), pointers: ["query:sortt"], words: ["not a parameter", "sort"])
            #expect(try await world.request(.get, "\(path)?sort=createdAt&page[limit]=2").status == .ok)
        }
    }

    @Test("the other lists refuse unknown parameters too, and the audit log an unknown action")
    func unknownParametersElsewhere() async throws {
        try await withWorld { world in
            let owner = world.a.ownerId
            let admin = try await world.roleId("ADMIN")
            expectPlain(try await world.request(.get, "/tenants/roles?limit=5"), pointers: ["query:limit"], words: ["no query parameters"])
            expectPlain(
                try await world.request(.get, "/tenants/roles/\(admin)/users?group=true"), pointers: ["query:group"], words: ["groups"])
            expectPlain(
                try await world.request(.get, "/tenants/users/\(owner)/roles?roleOnly=true"), pointers: ["query:roleOnly"],
                words: ["rolesOnly"])
            expectPlain(
                try await world.request(.get, "/tenants/audit-events?actor=x"), pointers: ["query:actor"], words: ["actorId"])
            expectPlain(
                try await world.request(.get, "/tenants/audit-events?action=user.created"), pointers: ["query:action"],
                words: ["'user.created'", "user.create,"])
            let known = try await world.request(.get, "/tenants/audit-events?action=user.create")
            #expect(known.status == .ok)
        }
    }

    @Test("every action the audit log records is one the filter accepts")
    func recordedActionsAreFilterable() async throws {
        try await withWorld { world in
            _ = try await world.createUsers(["actions@example.com"])
            _ = try await world.createGroup("Actions")
            let page = try await world.request(.get, "/tenants/audit-events?limit=200")
            let actions = Set((page.object["data"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String })
            #expect(actions.isSuperset(of: ["user.create", "group.create"]))
            for action in actions {
                #expect(AuditAction(rawValue: action) != nil, "\(action)")
            }
        }
    }

    @Test("an empty body says it is empty; a body of the wrong JSON kind says which kind it must be")
    func bodyShapes() async throws {
        try await withWorld { world in
            let empty = try await world.request(.post, "/tenants/groups", headers: ["Content-Type": "application/json"])
            expectPlain(empty, pointers: [], words: ["empty"])
            expectPlain(try await world.request(.post, "/tenants/groups", rawBody: "null"), pointers: [], words: ["a JSON object", "null"])
            expectPlain(try await world.request(.post, "/tenants/groups", rawBody: "[1]"), pointers: [], words: ["a JSON object"])
            expectPlain(try await world.request(.post, "/tenants/users", rawBody: "5"), pointers: [], words: ["user object", "array"])
        }
    }

    @Test("a field of the wrong JSON kind is named by pointer with the kind it must be")
    func fieldKinds() async throws {
        try await withWorld { world in
            let owner = world.a.ownerId
            expectPlain(try await world.request(.post, "/tenants/groups", json: ["name": 5, "roles": []]), pointers: ["/name"], words: ["a string"])
            expectPlain(
                try await world.request(.post, "/tenants/groups", json: ["name": "x", "roles": [:]]), pointers: ["/roles"], words: ["an array"])
            expectPlain(
                try await world.request(.post, "/tenants/groups", json: ["name": NSNull(), "roles": []]), pointers: ["/name"],
                words: ["a string", "not null"])
            expectPlain(
                try await world.request(.put, "/tenants/users/\(owner)", json: ["maxDevices": "x"]), pointers: ["/maxDevices"], words: ["an integer"])
            let device: [String: Any] = ["userId": owner, "name": "Laptop", "hardwareId": "hw-1", "appVersion": "1", "posture": 5]
            expectPlain(try await world.request(.post, "/tenants/devices", json: device), pointers: ["/posture"], words: ["a JSON object"])
        }
    }

    @Test("PATCH roles takes addedRoles or removedRoles alone, but not neither")
    func rolesDefaultToEmpty() async throws {
        try await withWorld { world in
            let id = try await world.createUsers(["roles-alone@example.com"])[0]
            let admin = try await world.roleId("ADMIN")
            let added = try await world.request(.patch, "/tenants/users/\(id)/roles", json: ["addedRoles": [admin]])
            #expect(added.status == .ok, "\(added.text)")
            #expect((added.object["roles"] as? [[String: Any]])?.contains { $0["id"] as? String == admin } == true)
            let removed = try await world.request(.patch, "/tenants/users/\(id)/roles", json: ["removedRoles": [admin]])
            #expect(removed.status == .ok, "\(removed.text)")
            #expect((removed.object["roles"] as? [[String: Any]])?.contains { $0["id"] as? String == admin } == false)
            let neither = try await world.request(.patch, "/tenants/users/\(id)/roles", json: [String: Any]())
            expectPlain(neither, pointers: ["/addedRoles"], words: ["at least one role id"])
        }
    }

    @Test("GET / points at the contract, the health check and the console, in JSON or in HTML for a browser")
    func rootSignpost() async throws {
        try await withWorld { world in
            let json = try await world.request(.get, "/", auth: .none)
            #expect(json.status == .ok)
            #expect(json.contentType == "application/json")
            let links = (json.object["links"] as? [[String: Any]] ?? []).compactMap { $0["href"] as? String }
            #expect(links == ["/openapi.yaml", "/health", "/console", "/scim/v2/ServiceProviderConfig"])
            let html = try await world.request(.get, "/", auth: .none, headers: ["Accept": "text/html,application/xhtml+xml"])
            #expect(html.status == .ok)
            #expect(html.contentType == "text/html; charset=utf-8")
            #expect(html.text.contains("href=\"/openapi.yaml\"") && html.text.contains("href=\"/health\""))
        }
    }

    @Test("the invitation pages carry charset=utf-8, and a form post's errors are HTML pages")
    func invitationPagesInHTML() async throws {
        try await withWorld { world in
            _ = try await world.createUsers(["page@example.com"])
            let transport = RecordingTransport()
            try await world.worker(transport).processDue()
            let token = try #require(MailText.token(transport.sent[0]))
            let form = ["Content-Type": "application/x-www-form-urlencoded"]
            let page = try await world.request(.get, "/invitations/\(token)/accept", auth: .none, headers: ["Accept": "text/html"])
            #expect(page.contentType == "text/html; charset=utf-8")
            let blank = try await world.request(.post, "/invitations/\(token)/accept", auth: .none, rawBody: "firstName=+&lastName=", headers: form)
            #expect(blank.status == .badRequest)
            #expect(blank.contentType == "text/html; charset=utf-8")
            #expect(blank.text.contains("Please check the form") && blank.text.contains("firstName"))
            let missing = try await world.request(.post, "/invitations/\(token)/accept", auth: .none, rawBody: "firstName=Ada", headers: form)
            #expect(missing.status == .badRequest)
            #expect(missing.contentType == "text/html; charset=utf-8")
            let accepted = try await world.request(
                .post, "/invitations/\(token)/accept", auth: .none, rawBody: "firstName=Ada&lastName=Lovelace", headers: form)
            #expect(accepted.status == .ok)
            #expect(accepted.contentType == "text/html; charset=utf-8")
            let used = try await world.request(
                .post, "/invitations/\(token)/accept", auth: .none, rawBody: "firstName=Ada&lastName=Lovelace", headers: form)
            #expect(used.status == .conflict)
            #expect(used.contentType == "text/html; charset=utf-8")
            #expect(used.text.contains("This invitation cannot be used"))
            // A program posting JSON still gets problem+json.
            let json = try await world.request(.post, "/invitations/\(token)/accept", auth: .none, json: ["firstName": "A", "lastName": "B"])
            json.expectProblem(.conflict)
        }
    }
}
