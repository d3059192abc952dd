import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Keyset paging")
struct KeysetPagingTests {
    /// 30 users created in one batch (so their createdAt ties and only the id orders them), some
    /// with names, some with a last connection, two deactivated.
    func seed(_ world: TestWorld) async throws -> [String] {
        let bodies: [[String: Any]] = (0..<30).map { ["email": String(format: "walker%02d@keyset.example", $0), "groups": [String]()] }
        let created = try await world.request(.post, "/tenants/users", json: bodies)
        #expect(created.status == .created)
        let ids = created.array.compactMap { $0["id"] as? String }
        let names = ["Zoe", "adam", "Mia", "liam"]
        for (index, id) in ids.enumerated() where index % 3 != 0 {
            _ = try await world.request(.put, "/tenants/users/\(id)", json: ["firstName": names[index % 4]])
        }
        try await world.pool.transaction { db in
            for (index, id) in ids.enumerated() where index % 4 == 1 {
                try await db.raw("UPDATE users SET last_connection = \(bind: Millis(1_700_000_000_000 + (index % 8) * 1000)) WHERE id = \(bind: id)")
                    .run()
            }
        }
        for id in ids.prefix(2) { _ = try await world.request(.post, "/tenants/users/\(id)/deactivate") }
        return ids
    }

    func ids(_ reply: Reply) -> [String] {
        (reply.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    /// Walks `path?query` with `after`, `limit` at a time, checking each page's paging fields.
    func walk(_ world: TestWorld, _ path: String, _ query: String, limit: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> [String]
    {
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            var uri = "\(path)?limit=\(limit)" + (query.isEmpty ? "" : "&\(query)")
            if let cursor { uri += "&after=" + (cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor) }
            let reply = try await world.request(.get, uri)
            #expect(reply.status == .ok, "\(reply.text)", sourceLocation: sourceLocation)
            let page = ids(reply)
            let next = reply.object["nextCursor"] as? String
            #expect(reply.object["hasNext"] as? Bool == (next != nil), sourceLocation: sourceLocation)
            #expect(reply.object["hasPrevious"] as? Bool == (cursor != nil), sourceLocation: sourceLocation)
            if cursor != nil { #expect(reply.object["page"] == nil, sourceLocation: sourceLocation) }
            if next != nil { #expect(page.count == limit, sourceLocation: sourceLocation) }
            seen += page
            cursor = next
            pages += 1
        } while cursor != nil && pages < 100
        return seen
    }

    /// A cursor with its sort values replaced, encoded as the server encodes cursors (base64url JSON).
    func forge(_ cursor: String, values: [Any]) throws -> String {
        let data = try #require(Base64URL.decode(cursor))
        var payload = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        payload["k"] = values
        return Base64URL.encode(try JSONSerialization.data(withJSONObject: payload))
    }

    @Test("walking with after gives exactly the offset order, for every sort, NULLs and ties included")
    func walksMatchOffsets() async throws {
        try await withWorld { world in
            _ = try await seed(world)
            let sorts = [
                "", "sort=-createdAt", "sort=email", "sort=-email", "sort=firstName", "sort=-firstName", "sort=lastConnection",
                "sort=-lastConnection", "sort=firstName,-email", "sort=-firstName,lastConnection", "sort=status,-lastName",
                "sort=-updatedAt,firstName",
            ]
            for sort in sorts {
                let all = ids(try await world.request(.get, "/tenants/users?limit=100" + (sort.isEmpty ? "" : "&\(sort)")))
                #expect(all.count == 31)
                for limit in [1, 4, 7] {
                    let walked = try await walk(world, "/tenants/users", sort, limit: limit)
                    #expect(walked == all, "\(sort) by \(limit)")
                }
            }
        }
    }

    @Test("a walk keeps its filters and search, and the total stays exact on every page")
    func walksWithFilters() async throws {
        try await withWorld { world in
            _ = try await seed(world)
            for query in [
                "search=walker1", "filter[status][ne]=inactive&sort=-firstName",
                "filter[lastConnection][gte]=2023-01-01T00:00:00Z&sort=lastConnection",
            ] {
                let all = try await world.request(.get, "/tenants/users?limit=100&\(query)")
                let expected = ids(all)
                #expect(!expected.isEmpty)
                #expect(try await walk(world, "/tenants/users", query, limit: 3) == expected, "\(query)")
                let first = try await world.request(.get, "/tenants/users?limit=3&\(query)")
                let cursor = try #require(first.object["nextCursor"] as? String)
                let second = try await world.request(.get, "/tenants/users?limit=3&\(query)&after=\(cursor)")
                #expect(second.object["total"] as? Int == all.object["total"] as? Int)
            }
        }
    }

    @Test("users added or removed before the cursor do not shift the next page")
    func stableUnderChanges() async throws {
        try await withWorld { world in
            _ = try await seed(world)
            let all = ids(try await world.request(.get, "/tenants/users?limit=100&sort=email"))
            let first = try await world.request(.get, "/tenants/users?limit=10&sort=email")
            let cursor = try #require(first.object["nextCursor"] as? String)
            // Remove two users of the first page and add one that sorts before the cursor.
            for id in ids(first).suffix(2) { #expect(try await world.request(.delete, "/tenants/users/\(id)").status == .noContent) }
            let added = try await world.request(.post, "/tenants/users", json: ["email": "aaa@keyset.example", "groups": [String]()])
            #expect(added.status == .created)
            let second = try await world.request(.get, "/tenants/users?limit=10&sort=email&after=\(cursor)")
            #expect(ids(second) == Array(all[10..<20]))
        }
    }

    @Test("a cursor of another sort, filter or search, a damaged cursor, or after with an offset is 400")
    func refusedCursors() async throws {
        try await withWorld { world in
            _ = try await seed(world)
            let first = try await world.request(.get, "/tenants/users?limit=5&sort=email&search=walker")
            let cursor = try #require(first.object["nextCursor"] as? String)
            #expect(try await world.request(.get, "/tenants/users?limit=5&sort=email&search=walker&after=\(cursor)").status == .ok)
            #expect(try await world.request(.get, "/tenants/users?limit=5&sort=email&search=walker&page[after]=\(cursor)").status == .ok)
            for query in [
                "sort=-email&search=walker&after=\(cursor)",
                "sort=email&after=\(cursor)",
                "sort=email&search=walker&filter[status]=pending&after=\(cursor)",
                "sort=email&search=walker&offset=5&after=\(cursor)",
                "sort=email&search=walker&after=not-a-cursor",
                "sort=email&search=walker&after=\(cursor.dropLast(3))",
            ] {
                let reply = try await world.request(.get, "/tenants/users?limit=5&\(query)")
                reply.expectProblem(.badRequest)
                #expect(reply.pointers == ["query:after"], "\(query)")
            }
            // A hand-made cursor with a text where the sort needs a timestamp is refused, not sent to SQL.
            let byTime = try await world.request(.get, "/tenants/users?limit=5&sort=createdAt")
            let forgedTime = try forge(try #require(byTime.object["nextCursor"] as? String), values: ["yesterday"])
            try await world.request(.get, "/tenants/users?limit=5&sort=createdAt&after=\(forgedTime)").expectProblem(.badRequest)
            // Nor is a text holding NUL, which PostgreSQL could not even compare.
            let byEmail = try await world.request(.get, "/tenants/users?limit=5&sort=email")
            let forgedNul = try forge(try #require(byEmail.object["nextCursor"] as? String), values: ["a\u{0}b"])
            try await world.request(.get, "/tenants/users?limit=5&sort=email&after=\(forgedNul)").expectProblem(.badRequest)
        }
    }

    @Test("a cursor from tenant A used by tenant B never shows A's users")
    func cursorsStayInTheirTenant() async throws {
        try await withWorld { world in
            _ = try await seed(world)
            let first = try await world.request(.get, "/tenants/users?limit=5")
            let cursor = try #require(first.object["nextCursor"] as? String)
            let mine = Set(ids(try await world.request(.get, "/tenants/users?limit=100")))
            let theirs = try await world.request(.get, "/tenants/users?limit=100&after=\(cursor)", auth: .key(world.b.adminKey))
            #expect(theirs.status == .ok)
            #expect(Set(ids(theirs)).isDisjoint(with: mine))
        }
    }

    @Test("groups and devices page with after too")
    func groupsAndDevices() async throws {
        try await withWorld { world in
            for index in 0..<9 {
                let reply = try await world.request(.post, "/tenants/groups", json: ["name": "Team \(index % 4)", "roles": [String]()])
                #expect(reply.status == .created || reply.status == .conflict)
            }
            for sort in ["", "sort=-name", "sort=name,-createdAt"] {
                let all = ids(try await world.request(.get, "/tenants/groups?limit=100" + (sort.isEmpty ? "" : "&\(sort)")))
                #expect(all.count > 2)
                #expect(try await walk(world, "/tenants/groups", sort, limit: 2) == all, "\(sort)")
            }
            let user = try await DeviceListTests.activeUser(world, "devices@keyset.example")
            for index in 0..<7 {
                let device = try await DeviceListTests.device(world, user: user, name: "Device \(index % 3)", hardwareId: "hw-\(index)")
                if index % 2 == 0 { try await DeviceListTests.setLastConnection(world, device, world.clock.now()) }
            }
            for sort in ["", "sort=status,-name", "sort=-lastConnection", "sort=name"] {
                let all = ids(try await world.request(.get, "/tenants/devices?limit=100" + (sort.isEmpty ? "" : "&\(sort)")))
                #expect(all.count == 7)
                #expect(try await walk(world, "/tenants/devices", sort, limit: 3) == all, "\(sort)")
            }
        }
    }
}
