import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

/// SCIM 2.0 users: what identity providers send, and what the REST API then sees.
@Suite("SCIM users")
struct ScimUserTests {
    @Test("discovery says what is supported, as application/scim+json, to a bearer key or the apikey header")
    func discovery() async throws {
        try await withWorld { world in
            let config = try await world.scim(.get, "/ServiceProviderConfig")
            #expect(config.status == .ok)
            #expect(config.contentType == "application/scim+json")
            #expect((config.object["patch"] as? [String: Any])?["supported"] as? Bool == true)
            #expect((config.object["bulk"] as? [String: Any])?["supported"] as? Bool == false)
            #expect((config.object["filter"] as? [String: Any])?["maxResults"] as? Int == 100)
            #expect((config.object["etag"] as? [String: Any])?["supported"] as? Bool == true)
            #expect((config.object["sort"] as? [String: Any])?["supported"] as? Bool == true)
            let types = try await world.scimList("/ResourceTypes")
            #expect(Set(types.resources.compactMap { $0["endpoint"] as? String }) == ["/Users", "/Groups"])
            let schema = try await world.scim(.get, "/Schemas/\(ScimURN.user)")
            let names = (schema.object["attributes"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names == ["userName", "name", "emails", "active", "groups"])
            let byHeader = try await world.request(.get, "/scim/v2/Users", auth: .adminA)
            #expect(byHeader.status == .ok, "the apikey header works too")
            let anonymous = try await world.request(.get, "/scim/v2/Users", auth: .none)
            anonymous.expectScimError(.unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            try await world.scim(.get, "/Users", key: "csk_wrong.key").expectScimError(.unauthorized)
            try await world.scim(.get, "/Nothing").expectScimError(.notFound)
            try await world.scim(.post, "/ServiceProviderConfig", json: [:]).expectScimError(.methodNotAllowed)
        }
    }

    @Test("a SCIM-created user is active at once, in the Default group, mailed nothing, audited with the key, and the REST API sees it")
    func create() async throws {
        try await withWorld { world in
            let user = try await world.scimUser("Ada@Example.com", given: "Ada", family: "Lovelace", externalId: "okta-00u1")
            let id = try #require(user["id"] as? String)
            #expect(user["userName"] as? String == "Ada@Example.com")
            #expect(user["active"] as? Bool == true)
            #expect(user["externalId"] as? String == "okta-00u1")
            #expect((user["emails"] as? [[String: Any]])?.first?["value"] as? String == "Ada@Example.com")
            let meta = try #require(user["meta"] as? [String: Any])
            #expect(meta["resourceType"] as? String == "User")
            #expect((meta["location"] as? String)?.hasSuffix("/scim/v2/Users/\(id)") == true)
            #expect(meta["created"] is String && meta["lastModified"] is String)
            let groups = user["groups"] as? [[String: Any]] ?? []
            #expect(groups.map { $0["display"] as? String } == ["Default"])

            let rest = try await world.request(.get, "/tenants/users/\(id)")
            #expect(rest.object["status"] as? String == "active")
            #expect(rest.object["firstName"] as? String == "Ada" && rest.object["lastName"] as? String == "Lovelace")
            #expect(rest.headers[.eTag] == meta["version"] as? String, "the SCIM version is the REST ETag")
            let mailed = try await world.pool.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM outbox_messages WHERE recipient = \(bind: "Ada@Example.com")").first()!
                    .decode(column: "n", as: Int.self)
            }
            #expect(mailed == 0)
            let audit = try await world.request(.get, "/tenants/audit-events?targetId=\(id)").object["data"] as? [[String: Any]] ?? []
            #expect(audit.first?["action"] as? String == "user.create")
            #expect((audit.first?["actor"] as? [String: Any])?["type"] as? String == "apiKey")

            // And the reverse: a change through the REST API shows in the SCIM resource at once.
            let edited = try await world.request(.put, "/tenants/users/\(id)", json: ["firstName": "Augusta"])
            #expect(edited.status == .ok, "\(edited.text)")
            let seen = try await world.scim(.get, "/Users/\(id)")
            #expect((seen.object["name"] as? [String: Any])?["givenName"] as? String == "Augusta")
            #expect(seen.headers[.eTag] == edited.headers[.eTag])

            try await world.scim(.post, "/Users", json: ["schemas": [ScimURN.user], "userName": "ada@EXAMPLE.com"])
                .expectScimError(.conflict, "uniqueness")
            try await world.scim(.post, "/Users", json: ["schemas": [ScimURN.user], "userName": "not an email"])
                .expectScimError(.badRequest, "invalidValue")
            try await world.scim(.post, "/Users", json: ["schemas": [ScimURN.user]]).expectScimError(.badRequest, "invalidValue")
            let malformed = try await world.request(
                .post, "/scim/v2/Users", auth: .none, rawBody: "{\"userName\": ",
                headers: ["Authorization": "Bearer \(world.a.adminKey)", "Content-Type": "application/scim+json"])
            malformed.expectScimError(.badRequest, "invalidSyntax")
        }
    }

    @Test("Okta looks a user up by userName before creating it; the lookup ignores case")
    func oktaLookup() async throws {
        try await withWorld { world in
            let filter = "userName%20eq%20%22grace%40example.com%22"
            #expect(try await world.scimList("/Users?filter=\(filter)&startIndex=1&count=100").total == 0)
            _ = try await world.scimUser("Grace@example.com")
            let found = try await world.scimList("/Users?filter=\(filter)")
            #expect(found.total == 1)
            #expect(found.resources.first?["userName"] as? String == "Grace@example.com")
        }
    }

    @Test("Entra ID's PATCH: capitalised ops, string booleans, a work email value path, and paths inside a value")
    func entraPatch() async throws {
        try await withWorld { world in
            let user = try await world.scimUser("lin@example.com", given: "Lin", externalId: "e-1")
            let id = user["id"] as! String
            func patch(_ operations: [[String: Any]]) async throws -> Reply {
                try await world.scim(.patch, "/Users/\(id)", json: ["schemas": [ScimURN.patchOp], "Operations": operations])
            }
            let off = try await patch([["op": "Replace", "path": "active", "value": "False"]])
            #expect(off.status == .ok, "\(off.text)")
            #expect(off.object["active"] as? Bool == false)
            #expect(try await world.request(.get, "/tenants/users/\(id)").object["status"] as? String == "inactive")
            let on = try await patch([["op": "Replace", "path": "active", "value": "True"]])
            #expect(on.object["active"] as? Bool == true)
            #expect(try await world.request(.get, "/tenants/users/\(id)").object["status"] as? String == "active")

            let moved = try await patch([
                ["op": "Add", "path": "emails[type eq \"work\"].value", "value": "lin.chen@example.com"],
                ["op": "Replace", "value": ["name.familyName": "Chen", "externalId": "e-2"]],
                ["op": "Remove", "path": "name.givenName"],
            ])
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(moved.object["userName"] as? String == "lin.chen@example.com")
            #expect(moved.object["externalId"] as? String == "e-2")
            #expect(moved.object["name"] as? [String: String] == ["familyName": "Chen"])
            let rest = try await world.request(.get, "/tenants/users/\(id)").object
            #expect(rest["email"] as? String == "lin.chen@example.com" && rest["firstName"] == nil && rest["lastName"] as? String == "Chen")

            try await patch([["op": "Replace", "path": "emails[type eq \"home\"].value", "value": "x@example.com"]])
                .expectScimError(.badRequest, "noTarget")
            try await patch([["op": "Replace", "path": "emails[type eq ", "value": "x"]]).expectScimError(.badRequest, "invalidPath")
            try await patch([["op": "Move", "path": "active", "value": true]]).expectScimError(.badRequest, "invalidSyntax")
            try await patch([["op": "Remove"]]).expectScimError(.badRequest, "noTarget")
            try await patch(Array(repeating: ["op": "replace", "path": "active", "value": true], count: 1001)).expectScimError(.badRequest, "tooMany")
        }
    }

    @Test("id, meta and groups in a body are never applied; patching them is a mutability error")
    func massAssignment() async throws {
        try await withWorld { world in
            let user = try await world.scimUser("mass@example.com")
            let id = user["id"] as! String
            let other = try await world.createGroup("Elsewhere")
            let replaced = try await world.scim(
                .put, "/Users/\(id)",
                json: [
                    "schemas": [ScimURN.user], "id": "00000000-0000-4000-8000-000000000000", "userName": "mass@example.com",
                    "meta": ["created": "2000-01-01T00:00:00Z", "version": "W/\"x\""], "groups": [["value": other]], "active": true,
                ])
            #expect(replaced.status == .ok, "\(replaced.text)")
            #expect(replaced.object["id"] as? String == id)
            #expect((replaced.object["meta"] as? [String: Any])?["created"] as? String == (user["meta"] as? [String: Any])?["created"] as? String)
            #expect((replaced.object["groups"] as? [[String: Any]])?.map { $0["display"] as? String } == ["Default"])
            for path in ["id", "meta.created", "groups"] {
                try await world.scim(
                    .patch, "/Users/\(id)", json: ["schemas": [ScimURN.patchOp], "Operations": [["op": "replace", "path": path, "value": other]]]
                ).expectScimError(.badRequest, "mutability")
            }
        }
    }

    @Test("the owner cannot be deactivated (400 mutability), by PATCH or PUT")
    func ownerStays() async throws {
        try await withWorld { world in
            let owner = world.a.ownerId
            try await world.scim(
                .patch, "/Users/\(owner)", json: ["schemas": [ScimURN.patchOp], "Operations": [["op": "replace", "path": "active", "value": false]]]
            ).expectScimError(.badRequest, "mutability")
            try await world.scim(.put, "/Users/\(owner)", json: ["schemas": [ScimURN.user], "userName": "owner@a.example", "active": false])
                .expectScimError(.badRequest, "mutability")
            #expect(try await world.request(.get, "/tenants/users/\(owner)").object["status"] as? String == "active")
        }
    }

    @Test("If-Match with a stale version is 412 and changes nothing; the current version goes through")
    func ifMatch() async throws {
        try await withWorld { world in
            let user = try await world.scimUser("etag@example.com")
            let id = user["id"] as! String
            let version = (user["meta"] as! [String: Any])["version"] as! String
            let body: [String: Any] = ["schemas": [ScimURN.patchOp], "Operations": [["op": "replace", "path": "name.givenName", "value": "One"]]]
            let first = try await world.scim(.patch, "/Users/\(id)", json: body, headers: ["If-Match": version])
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.headers[.eTag] != version)
            try await world.scim(.patch, "/Users/\(id)", json: body, headers: ["If-Match": version]).expectScimError(.preconditionFailed)
            try await world.scim(.delete, "/Users/\(id)", headers: ["If-Match": version]).expectScimError(.preconditionFailed)
            #expect(try await world.scim(.delete, "/Users/\(id)", headers: ["If-Match": first.headers[.eTag]!]).status == .noContent)
            try await world.scim(.get, "/Users/\(id)").expectScimError(.notFound)
        }
    }

    @Test("a read-only key reads and cannot write; another tenant's users are 404 and never listed")
    func keysAndTenants() async throws {
        try await withWorld { world in
            let mine = try await world.scimUser("mine@example.com")
            let theirs = try await world.scimUser("theirs@example.com", key: world.b.adminKey)
            let theirId = theirs["id"] as! String
            #expect(try await world.scim(.get, "/Users", key: world.a.readOnlyKey).status == .ok)
            try await world.scim(.post, "/Users", json: ["userName": "ro@example.com"], key: world.a.readOnlyKey).expectScimError(.forbidden)
            try await world.scim(.get, "/Users/\(theirId)").expectScimError(.notFound)
            try await world.scim(.put, "/Users/\(theirId)", json: ["userName": "x@example.com"]).expectScimError(.notFound)
            try await world.scim(.delete, "/Users/\(theirId)").expectScimError(.notFound)
            #expect(try await world.scimList("/Users?filter=userName%20eq%20%22theirs%40example.com%22").total == 0)
            #expect(try await world.scimList("/Users").resources.contains { $0["id"] as? String == mine["id"] as? String })
            #expect(try await world.request(.get, "/tenants/users/\(theirId)", auth: .key(world.b.adminKey)).status == .ok, "B's user is intact")
        }
    }
}
