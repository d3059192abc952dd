import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("Listing users")
struct ListTests {
    /// Creates 25 users with names so that sorting and searching have something to bite on.
    func seed(_ world: TestWorld) async throws -> [String] {
        var bodies: [[String: Any]] = []
        for index in 0..<25 { bodies.append(["email": String(format: "member%02d@list.example", index), "groups": [String]()]) }
        let created = try await world.request(.post, "/tenants/users", json: bodies)
        #expect(created.status == .created)
        let ids = created.array.map { $0["id"] as! String }
        let names = ["Zoe", "adam", "Mia", "liam", "Émile"]
        for (index, id) in ids.enumerated() where index < 10 {
            _ = try await world.request(.put, "/tenants/users/\(id)", json: ["firstName": names[index % 5], "lastName": "Family\(index)"])
        }
        return ids
    }

    func emails(_ reply: Reply) -> [String] {
        (reply.object["data"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
    }

    @Test("the default page holds 10 users in creation order with the exact total")
    func defaultPage() async throws {
        try await withWorld { world in
            _ = try await seed(world)
            let reply = try await world.request(.get, "/tenants/users")
            #expect(reply.status == .ok)
            #expect(reply.object["total"] as? Int == 26)
            #expect(reply.object["limit"] as? Int == 10)
            #expect(reply.object["page"] as? Int == 0)
            #expect(reply.object["hasNext"] as? Bool == true)
            #expect(reply.object["hasPrevious"] as? Bool == false)
            #expect(emails(reply).first == "owner@a.example")
            #expect(emails(reply).dropFirst().first == "member00@list.example")
        }
    }

    @Test("offset and page[offset] page through every user exactly once")
    func paging() async throws {
        try await withWorld { world in
            _ = try await seed(world)
            var seen: [String] = []
            for offset in stride(from: 0, to: 26, by: 7) {
                let reply = try await world.request(.get, "/tenants/users?page[limit]=7&page[offset]=\(offset)&sort=-email")
                #expect(reply.object["page"] as? Int == offset / 7)
                #expect(reply.object["hasPrevious"] as? Bool == (offset > 0))
                #expect(reply.object["hasNext"] as? Bool == (offset + 7 < 26))
                seen += emails(reply)
            }
            #expect(seen.count == 26 && Set(seen).count == 26)
            #expect(seen == seen.sorted(by: >))
        }
    }

    @Test("limit is clamped to 100; negative or non-integer limit and offset are 400")
    func limits() async throws {
        try await withWorld { world in
            let reply = try await world.request(.get, "/tenants/users?limit=500")
            #expect(reply.object["limit"] as? Int == 100)
            for query in ["limit=-1", "limit=abc", "offset=-3", "offset=2.5", "page[limit]=x"] {
                try await world.request(.get, "/tenants/users?\(query)").expectProblem(.badRequest)
            }
        }
    }

    @Test("sort accepts field, -field, field:asc and field:desc, repeatable or comma-separated; unknown fields are 400")
    func sorting() async throws {
        try await withWorld { world in
            _ = try await seed(world)
            let ascending = emails(try await world.request(.get, "/tenants/users?sort=email&limit=100"))
            #expect(ascending == ascending.sorted())
            let descending = emails(try await world.request(.get, "/tenants/users?sort=email:desc&limit=100"))
            #expect(descending == ascending.reversed())
            let byName = try await world.request(.get, "/tenants/users?sort=firstName,-email&limit=100")
            let firstNames = (byName.object["data"] as? [[String: Any]] ?? []).map { $0["firstName"] as? String }
            // Named users first (case-sensitive order of the stored names), users without a first name last.
            #expect(firstNames.prefix(10).allSatisfy { $0 != nil })
            #expect(firstNames.dropFirst(10).allSatisfy { $0 == nil })
            let repeated = try await world.request(.get, "/tenants/users?sort=status&sort=-createdAt&limit=3")
            #expect(repeated.status == .ok)
            try await world.request(.get, "/tenants/users?sort=password").expectProblem(.badRequest)
            try await world.request(.get, "/tenants/users?sort=email:up").expectProblem(.badRequest)
        }
    }

    @Test("filters narrow the list and the total")
    func filtering() async throws {
        try await withWorld { world in
            let ids = try await seed(world)
            let group = try await world.createGroup("Ops")
            for id in ids.prefix(3) { _ = try await world.request(.post, "/tenants/users/\(id)/groups", json: ["groupId": group]) }
            _ = try await world.request(.patch, "/tenants/users/\(ids[4])/deactivate")
            let admin = try await world.roleId("ADMIN")
            _ = try await world.request(.patch, "/tenants/users/\(ids[5])/roles", json: ["addedRoles": [admin], "removedRoles": [String]()])

            func total(_ query: String) async throws -> Int {
                let reply = try await world.request(.get, "/tenants/users?\(query)")
                #expect(reply.status == .ok, "\(query): \(reply.text)")
                return reply.object["total"] as? Int ?? -1
            }
            #expect(try await total("filter[status]=pending") == 24)
            #expect(try await total("filter[status][eq]=inactive") == 1)
            #expect(try await total("filter[status][ne]=pending") == 2)
            #expect(try await total("filter[status][in]=active,inactive") == 2)
            #expect(try await total("filter[status][nin]=active,inactive") == 24)
            #expect(try await total("filter[email]=MEMBER03@list.example") == 1)
            #expect(try await total("filter[email][ilike]=member0%25") == 10)
            #expect(try await total("filter[firstName][ilike]=%25i%25") == 6)
            #expect(try await total("filter[firstName][ne]=Zoe") == 24)
            #expect(try await total("filter[isOwner]=true") == 1)
            #expect(try await total("filter[groups.id]=\(group)") == 3)
            #expect(try await total("filter[groups.id][ne]=\(group)") == 23)
            #expect(try await total("filter[roles.id]=\(admin)") == 1)
            #expect(try await total("filter[roles.id][in]=\(admin),\(try await world.roleId("OWNER"))") == 2)
            #expect(try await total("filter[id][in]=\(ids[0]),\(ids[1])") == 2)
            #expect(try await total("filter[status]=pending&filter[groups.id]=\(group)") == 3)
            #expect(try await total("filter[lastConnection][gt]=2020-01-01T00:00:00Z") == 0)
            for bad in ["filter[nope]=1", "filter[status][like]=x", "filter[isOwner]=yes", "filter[createdAt][gt]=soon", "filter[groups.id]=zz"] {
                try await world.request(.get, "/tenants/users?\(bad)").expectProblem(.badRequest)
            }
        }
    }

    @Test("search matches a case-insensitive fragment of email, first or last name")
    func searching() async throws {
        try await withWorld { world in
            _ = try await seed(world)
            func found(_ text: String) async throws -> Int {
                let reply = try await world.request(.get, "/tenants/users?search=\(text)")
                return reply.object["total"] as? Int ?? -1
            }
            #expect(try await found("MEMBER1") == 10)
            #expect(try await found("family1") == 1)
            #expect(try await found("zoe") == 2)
            #expect(try await found("list.example") == 25)
            #expect(try await found("%25") == 0)
            #expect(try await found("nobody-here") == 0)
        }
    }

    @Test("a createdAt printed by the API finds its own user with eq, gte and lte")
    func timestampsRoundTripThroughFilters() async throws {
        try await withWorld { world in
            let ids = try await seed(world)
            let user = try await world.request(.get, "/tenants/users/\(ids[7])")
            let stamp = try #require(user.object["createdAt"] as? String)
            let encoded = stamp.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            for op in ["eq", "gte", "lte"] {
                let reply = try await world.request(.get, "/tenants/users?filter[createdAt][\(op)]=\(encoded)&filter[id]=\(ids[7])")
                #expect(reply.object["total"] as? Int == 1, "\(op)")
            }
        }
    }
}
