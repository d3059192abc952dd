import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// ETags and preconditions, idempotent retries, per-key rate limits and the audit log.
@Suite("Preconditions, idempotency, rate limits and audit")
struct ReliabilityTests {
    static let eTag = HTTPField.Name("ETag")!

    // MARK: ETag, If-None-Match, If-Match

    @Test("a user answer carries an ETag; If-None-Match with it is 304 without a body until the user changes")
    func conditionalGetOfUsers() async throws {
        try await withWorld { world in
            let id = try await world.createUsers(["etag@a.example"])[0]
            let first = try await world.request(.get, "/tenants/users/\(id)")
            let tag = try #require(first.headers[Self.eTag])
            #expect(tag.hasPrefix("\"") && tag.hasSuffix("\"") && tag.count > 10)

            let same = try await world.request(.get, "/tenants/users/\(id)", headers: ["If-None-Match": tag])
            #expect(same.status == .notModified)
            #expect(same.text.isEmpty)
            #expect(same.headers[Self.eTag] == tag)
            // A weak form of the same tag matches too, and so does a list that contains it.
            #expect(try await world.request(.get, "/tenants/users/\(id)", headers: ["If-None-Match": "W/\(tag)"]).status == .notModified)
            #expect(try await world.request(.get, "/tenants/users/\(id)", headers: ["If-None-Match": "\"other\", \(tag)"]).status == .notModified)

            let changed = try await world.request(.put, "/tenants/users/\(id)", json: ["firstName": "Ada"])
            #expect(changed.status == .ok)
            let newTag = try #require(changed.headers[Self.eTag])
            #expect(newTag != tag)
            let after = try await world.request(.get, "/tenants/users/\(id)", headers: ["If-None-Match": tag])
            #expect(after.status == .ok)
            #expect(after.object["firstName"] as? String == "Ada")
            // The tag a change answers with is the tag the next read shows.
            #expect(after.headers[Self.eTag] == newTag)
        }
    }

    @Test("a group's ETag changes when a member joins, so a cached group is never stale")
    func groupTagsFollowMembership() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Tagged")
            let tag = try #require(try await world.request(.get, "/tenants/groups/\(group)").headers[Self.eTag])
            #expect(try await world.request(.get, "/tenants/groups/\(group)", headers: ["If-None-Match": tag]).status == .notModified)
            _ = try await world.createUsers(["member@a.example"], groups: [group])
            let reply = try await world.request(.get, "/tenants/groups/\(group)", headers: ["If-None-Match": tag])
            #expect(reply.status == .ok)
            #expect(reply.headers[Self.eTag] != tag)
        }
    }

    @Test("every change to a user sent with a stale If-Match is 412 and changes nothing; the current tag or * lets it through")
    func staleIfMatchOnUsers() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Second")
            let admin = try await world.roleId("ADMIN")
            let id = try await world.createUsers(["ifmatch@a.example"])[0]
            let stale = try #require(try await world.request(.get, "/tenants/users/\(id)").headers[Self.eTag])
            let changed = try await world.request(.put, "/tenants/users/\(id)", json: ["lastName": "Lovelace"])
            let current = try #require(changed.headers[Self.eTag])
            #expect(stale != current)

            let attempts: [(HTTPRequest.Method, String, Any?)] = [
                (.put, "/tenants/users/\(id)", ["firstName": "Mallory"]),
                (.patch, "/tenants/users/\(id)/roles", ["addedRoles": [admin], "removedRoles": [String]()]),
                (.post, "/tenants/users/\(id)/groups", ["groupId": group]),
                (.patch, "/tenants/users/\(id)/deactivate", nil),
                (.post, "/tenants/users/\(id)/invite", nil),
                (.delete, "/tenants/users/\(id)", nil),
            ]
            for (method, path, body) in attempts {
                let reply = try await world.request(method, path, json: body, headers: ["If-Match": stale])
                reply.expectProblem(.preconditionFailed)
            }
            let unchanged = try await world.request(.get, "/tenants/users/\(id)")
            #expect(unchanged.status == .ok)
            #expect(unchanged.headers[Self.eTag] == current)
            #expect(unchanged.object["firstName"] == nil)
            #expect(unchanged.object["status"] as? String == "pending")

            let applied = try await world.request(.put, "/tenants/users/\(id)", json: ["firstName": "Ada"], headers: ["If-Match": current])
            #expect(applied.status == .ok)
            let star = try await world.request(.post, "/tenants/users/\(id)/groups", json: ["groupId": group], headers: ["If-Match": "*"])
            #expect(star.status == .created)
            // A weak tag never satisfies If-Match (strong comparison).
            let weak = try await world.request(
                .delete, "/tenants/users/\(id)/groups/\(group)", headers: ["If-Match": "W/\(star.headers[Self.eTag]!)"])
            weak.expectProblem(.preconditionFailed)
            let leave = try await world.request(.delete, "/tenants/users/\(id)/groups/\(group)", headers: ["If-Match": star.headers[Self.eTag]!])
            #expect(leave.status == .noContent)
            // An unknown user is still 404, not 412.
            try await world.request(.put, "/tenants/users/\(Identifiers.make())", json: ["firstName": "X"], headers: ["If-Match": stale])
                .expectProblem(.notFound)
        }
    }

    @Test("a group replaced or deleted with a stale If-Match is 412 and stays as it was")
    func staleIfMatchOnGroups() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Original")
            let stale = try #require(try await world.request(.get, "/tenants/groups/\(group)").headers[Self.eTag])
            let renamed = try await world.request(.put, "/tenants/groups/\(group)", json: ["name": "Renamed", "roles": [String]()])
            #expect(renamed.status == .ok)
            try await world.request(
                .put, "/tenants/groups/\(group)", json: ["name": "Lost update", "roles": [String]()], headers: ["If-Match": stale]
            )
            .expectProblem(.preconditionFailed)
            try await world.request(.delete, "/tenants/groups/\(group)", headers: ["If-Match": stale]).expectProblem(.preconditionFailed)
            let now = try await world.request(.get, "/tenants/groups/\(group)")
            #expect(now.object["name"] as? String == "Renamed")
            let deleted = try await world.request(.delete, "/tenants/groups/\(group)", headers: ["If-Match": now.headers[Self.eTag]!])
            #expect(deleted.status == .noContent)
        }
    }

    // MARK: Idempotency-Key

    @Test("a POST retried with the same Idempotency-Key and body is answered again, byte for byte, without a second change")
    func idempotentRetries() async throws {
        try await withWorld { world in
            let body: Any = [["email": "once@a.example", "groups": [String]()], ["email": "twice@a.example", "groups": [String]()]]
            let first = try await world.request(.post, "/tenants/users", json: body, headers: ["Idempotency-Key": "batch-1"])
            #expect(first.status == .created)
            let retry = try await world.request(.post, "/tenants/users", json: body, headers: ["Idempotency-Key": "batch-1"])
            #expect(retry.status == .created)
            #expect(retry.text == first.text)
            #expect(retry.contentType == first.contentType)
            #expect(retry.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let list = try await world.request(.get, "/tenants/users?limit=0")
            #expect(list.object["total"] as? Int == 3)  // the owner and the two users, once

            // The same key with another body is 422 and creates nothing.
            let other = try await world.request(
                .post, "/tenants/users", json: [["email": "third@a.example", "groups": [String]()]], headers: ["Idempotency-Key": "batch-1"]
            )
            other.expectProblem(.unprocessableContent)
            #expect(try await world.request(.get, "/tenants/users?search=third@a.example").object["total"] as? Int == 0)

            // A client error is stored and replayed too: the retry does not run again.
            let bad = try await world.request(.post, "/tenants/groups", json: ["name": "", "roles": [String]()], headers: ["Idempotency-Key": "g"])
            bad.expectProblem(.badRequest)
            let badAgain = try await world.request(
                .post, "/tenants/groups", json: ["name": "", "roles": [String]()], headers: ["Idempotency-Key": "g"])
            #expect(badAgain.status == .badRequest)
            #expect(badAgain.text == bad.text)

            // Keys belong to the API key that sent them: tenant B's identical key is a new request.
            let b = try await world.request(
                .post, "/tenants/users", auth: .key(world.b.adminKey), json: body, headers: ["Idempotency-Key": "batch-1"]
            )
            #expect(b.status == .created)
            #expect(b.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
        }
    }

    @Test("an Idempotency-Key that is empty, too long or not visible ASCII is 400")
    func invalidIdempotencyKeys() async throws {
        try await withWorld { world in
            for key in [String(repeating: "k", count: 256), "has space", "tab\there"] {
                let reply = try await world.request(
                    .post, "/tenants/groups", json: ["name": "G", "roles": [String]()], headers: ["Idempotency-Key": key]
                )
                reply.expectProblem(.badRequest)
            }
            #expect(try await world.request(.get, "/tenants/groups?filter[name]=G").object["total"] as? Int == 0)
        }
    }

    @Test("a stored answer is kept for 24 hours and then forgotten")
    func idempotencyRetention() async throws {
        try await withWorld { world in
            let store = world.services.idempotency
            let principal = try await world.services.keys.authenticate(apiKey: world.a.adminKey)
            #expect(try await store.start(scope: .apiKey(principal.keyId), key: "k", requestHash: "h", now: world.clock.now()) == .run)
            #expect(try await store.start(scope: .apiKey(principal.keyId), key: "k", requestHash: "h", now: world.clock.now()) == .inProgress)
            try await store.finish(scope: .apiKey(principal.keyId), key: "k", status: 201, headers: ["Content-Type": "application/json"], body: "{}")
            #expect(
                try await store.start(scope: .apiKey(principal.keyId), key: "k", requestHash: "h", now: world.clock.now())
                    == .replay(status: 201, headers: ["Content-Type": "application/json"], body: "{}")
            )
            #expect(try await store.start(scope: .apiKey(principal.keyId), key: "k", requestHash: "other", now: world.clock.now()) == .mismatch)
            #expect(try await store.purge(now: world.clock.now()) == 0)
            // A day passes.
            world.clock.advance(by: SQLIdempotencyRepository.idempotencyRetention + 1)
            #expect(try await store.purge(now: world.clock.now()) == 1)
            #expect(try await store.start(scope: .apiKey(principal.keyId), key: "k", requestHash: "other", now: world.clock.now()) == .run)
        }
    }

    // MARK: Rate limits

    @Test("each key gets RATE_LIMIT per second in bursts of twice that, with RateLimit headers, then 429 with Retry-After")
    func perKeyRateLimit() async throws {
        try await withWorld(rateLimit: 1) { world in
            let first = try await world.request(.get, "/tenants/roles")
            #expect(first.status == .ok)
            #expect(first.headers[HTTPField.Name("RateLimit-Limit")!] == "2")
            #expect(first.headers[HTTPField.Name("RateLimit-Remaining")!] == "1")
            #expect(Int(first.headers[HTTPField.Name("RateLimit-Reset")!] ?? "") ?? 0 >= 1)
            #expect(first.headers[HTTPField.Name("RateLimit-Policy")!] == "2;w=2")
            // One token comes back per second; requests here take milliseconds, so a 429 comes soon.
            var limited: Reply?
            for _ in 0..<20 {
                let reply = try await world.request(.get, "/tenants/roles")
                if reply.status == .tooManyRequests {
                    limited = reply
                    break
                }
                #expect(reply.status == .ok)
            }
            let refused = try #require(limited)
            refused.expectProblem(.tooManyRequests)
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(refused.headers[HTTPField.Name("RateLimit-Remaining")!] == "0")
            // Other keys have their own allowance; requests without a valid key carry no RateLimit headers.
            let other = try await world.request(.get, "/tenants/roles", auth: .key(world.a.readOnlyKey))
            #expect(other.status == .ok)
            let anonymous = try await world.request(.get, "/tenants/roles", auth: .none)
            anonymous.expectProblem(.unauthorized)
            #expect(anonymous.headers[HTTPField.Name("RateLimit-Limit")!] == nil)
        }
    }

    @Test("a refused request is not counted against anything else: errors of a valid key still carry RateLimit headers")
    func rateLimitHeadersOnErrors() async throws {
        try await withWorld(rateLimit: 100) { world in
            let missing = try await world.request(.get, "/tenants/users/\(Identifiers.make())")
            missing.expectProblem(.notFound)
            #expect(missing.headers[HTTPField.Name("RateLimit-Limit")!] == "200")
            let forbidden = try await world.request(
                .post, "/tenants/groups", auth: .key(world.a.readOnlyKey), json: ["name": "X", "roles": [String]()])
            forbidden.expectProblem(.forbidden)
            #expect(forbidden.headers[HTTPField.Name("RateLimit-Remaining")!] != nil)
        }
    }

    // MARK: Audit log

    func keyId(_ world: TestWorld, _ key: String) async throws -> String {
        try await world.services.keys.authenticate(apiKey: key).keyId.rawValue
    }

    func events(_ world: TestWorld, _ query: String, key: String? = nil) async throws -> [[String: Any]] {
        let reply = try await world.request(.get, "/tenants/audit-events?\(query)", auth: .key(key ?? world.a.adminKey))
        #expect(reply.status == .ok, "\(reply.text)")
        return reply.object["data"] as? [[String: Any]] ?? []
    }

    @Test("every change to a user is in the audit log with actor, action, before and after, and request id, newest first")
    func auditOfUserChanges() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let group = try await world.createGroup("Audited")
            let id = try await world.createUsers(["audit@a.example"])[0]
            try await world.request(.put, "/tenants/users/\(id)", json: ["firstName": "Ada"], headers: ["X-Request-Id": "trace-put"])
            try await world.request(.patch, "/tenants/users/\(id)/roles", json: ["addedRoles": [admin], "removedRoles": [String]()])
            try await world.request(.post, "/tenants/users/\(id)/groups", json: ["groupId": group])
            try await world.request(.patch, "/tenants/users/\(id)/deactivate")
            try await world.request(.delete, "/tenants/users/\(id)")

            let log = try await events(world, "targetId=\(id)")
            #expect(
                log.map { $0["action"] as? String } == [
                    "user.delete", "user.deactivate", "user.groups.add", "user.roles.update", "user.update", "user.create",
                ])
            let actor = try await keyId(world, world.a.adminKey)
            for event in log {
                #expect((event["actor"] as? [String: Any])?["type"] as? String == "apiKey")
                #expect((event["actor"] as? [String: Any])?["id"] as? String == actor)
                #expect((event["target"] as? [String: Any])?["id"] as? String == id)
                #expect(event["occurredAt"] is String)
                #expect(event["requestId"] is String)
            }
            let update = log[4]
            #expect(update["requestId"] as? String == "trace-put")
            let changes = update["changes"] as? [String: [String: Any]]
            #expect(changes?["firstName"]?["after"] as? String == "Ada")
            #expect(changes?["firstName"]?["before"] is NSNull)
            #expect(changes?.count == 1)  // only the changed field
            let roles = log[3]["changes"] as? [String: [String: Any]]
            #expect(roles?["roles"]?["after"] as? [String] == [admin])
            let join = log[2]
            #expect((join["related"] as? [String: Any])?["id"] as? String == group)
            // The group's own id finds the join too.
            #expect(try await events(world, "targetId=\(group)").contains { $0["action"] as? String == "user.groups.add" })
            let create = log[5]["changes"] as? [String: [String: Any]]
            #expect(create?["email"]?["after"] as? String == "audit@a.example")
        }
    }

    @Test("a refused change leaves no audit event, since the event is written in the change's transaction")
    func refusedChangesAreNotAudited() async throws {
        try await withWorld { world in
            let before = try await events(world, "limit=200").count
            try await world.request(.post, "/tenants/users", json: [["email": "not-an-email", "groups": [String]()]]).expectProblem(.badRequest)
            try await world.request(.post, "/tenants/users", json: [["email": "owner@a.example", "groups": [String]()]]).expectProblem(.conflict)
            try await world.request(.delete, "/tenants/users/\(world.a.ownerId)").expectProblem(.forbidden)
            #expect(try await events(world, "limit=200").count == before)
        }
    }

    @Test("the audit log filters by actor, action and time, pages with a cursor, and is for the tenant's admin keys only")
    func auditQueries() async throws {
        try await withWorld { world in
            let start = Timestamps.format(world.clock.now())
            _ = try await world.createUsers((0..<5).map { "page\($0)@a.example" })
            let creates = try await events(world, "action=user.create&since=\(start)")
            #expect(creates.count == 5)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let reply = try await world.request(.get, "/tenants/audit-events?action=user.create&limit=2" + (cursor.map { "&after=\($0)" } ?? ""))
                let page = reply.object["data"] as? [[String: Any]] ?? []
                #expect(page.count <= 2)
                seen += page.compactMap { $0["id"] as? String }
                cursor = reply.object["nextCursor"] as? String
            } while cursor != nil
            #expect(seen.count == 5)
            #expect(Set(seen).count == seen.count)

            let actor = try await keyId(world, world.a.adminKey)
            #expect(try await events(world, "actorId=\(actor)&action=user.create").count == 5)
            #expect(try await events(world, "actorId=\(Identifiers.make())").isEmpty)
            #expect(try await events(world, "until=\(start)&action=user.create").isEmpty)

            try await world.request(.get, "/tenants/audit-events", auth: .key(world.a.readOnlyKey)).expectProblem(.forbidden)
            try await world.request(.get, "/tenants/audit-events?targetId=nope").expectProblem(.badRequest)
            try await world.request(.get, "/tenants/audit-events?limit=0").expectProblem(.badRequest)
            try await world.request(.get, "/tenants/audit-events?action=user%00.create").expectProblem(.badRequest)  // found by fuzzing on PostgreSQL
            try await world.request(.get, "/tenants/audit-events?since=yesterday").expectProblem(.badRequest)
            // Tenant B sees only its own history.
            let b = try await events(world, "limit=200", key: world.b.adminKey)
            #expect(!b.isEmpty)
            #expect(b.allSatisfy { ($0["action"] as? String)?.hasPrefix("user.create") != true })
        }
    }

    @Test("the command line's changes and an invitation acceptance are audited with their own actors")
    func auditActors() async throws {
        try await withWorld { world in
            let created = try await world.services.keys.create(tenant: TenantID(world.a.id)!, readOnly: true)
            let log = try await events(world, "targetId=\(created.record.id)")
            #expect(log.first?["action"] as? String == "apikey.create")
            #expect((log.first?["actor"] as? [String: Any])?["type"] as? String == "system")
            #expect(try await events(world, "action=tenant.create").count == 1)
        }
    }
}
