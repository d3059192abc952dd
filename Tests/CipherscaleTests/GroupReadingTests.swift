import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("Groups: listing and reading")
struct GroupReadingTests: GroupTestSupport {
    // MARK: - List

    @Test("the group list is a page in creation order whose groups carry userCount but no members")
    func listDefaultShape() async throws {
        try await withWorld { world in
            for name in ["Gamma", "Alpha", "Beta"] { _ = try await world.createGroup(name) }
            let reply = try await world.request(.get, "/tenants/groups")
            #expect(reply.status == .ok)
            #expect(Self.names(reply) == ["Default", "Gamma", "Alpha", "Beta"])
            #expect(reply.object["total"] as? Int == 4)
            #expect(reply.object["page"] as? Int == 0)
            #expect(reply.object["limit"] as? Int == 10)
            #expect(reply.object["hasNext"] as? Bool == false)
            #expect(reply.object["hasPrevious"] as? Bool == false)
            let data = reply.object["data"] as? [[String: Any]] ?? []
            #expect(data.allSatisfy { $0["users"] == nil })
            #expect(data.map { $0["userCount"] as? Int } == [1, 0, 0, 0])
            #expect(data.map { $0["deleteable"] as? Bool } == [false, true, true, true])
            #expect(Self.types(data.first?["roles"]) == ["DEFAULT"])
        }
    }

    @Test("sort=name orders groups by name, -name and name:desc reverse it, and an unknown sort field is 400")
    func listSorting() async throws {
        try await withWorld { world in
            for name in ["Gamma", "Alpha", "Beta"] { _ = try await world.createGroup(name) }
            let ascending = try await world.request(.get, "/tenants/groups?sort=name")
            #expect(ascending.status == .ok)
            #expect(Self.names(ascending) == ["Alpha", "Beta", "Default", "Gamma"])
            let descending = try await world.request(.get, "/tenants/groups?sort=-name")
            #expect(Self.names(descending) == ["Gamma", "Default", "Beta", "Alpha"])
            let spelled = try await world.request(.get, "/tenants/groups?sort=name:desc")
            #expect(Self.names(spelled) == ["Gamma", "Default", "Beta", "Alpha"])
            let explicit = try await world.request(.get, "/tenants/groups?sort=name:asc")
            #expect(Self.names(explicit) == ["Alpha", "Beta", "Default", "Gamma"])
            try await world.request(.get, "/tenants/groups?sort=userCount").expectProblem(.badRequest)
        }
    }

    @Test("filter[name] keeps the exactly named group and search matches a case-insensitive fragment of name or description")
    func listFilterAndSearch() async throws {
        try await withWorld { world in
            _ = try await world.createGroup("Beta")
            _ = try await world.createGroup("Betamax")
            let ops = try await world.request(.post, "/tenants/groups", json: ["name": "Ops", "description": "The night shift", "roles": [String]()])
            #expect(ops.status == .created)

            let exact = try await world.request(.get, "/tenants/groups?filter[name]=Beta")
            #expect(exact.status == .ok)
            #expect(Self.names(exact) == ["Beta"])
            #expect(exact.object["total"] as? Int == 1)

            let byName = try await world.request(.get, "/tenants/groups?search=ETA")
            #expect(Self.names(byName) == ["Beta", "Betamax"])
            #expect(byName.object["total"] as? Int == 2)

            let byDescription = try await world.request(.get, "/tenants/groups?search=NIGHT")
            #expect(Self.names(byDescription) == ["Ops"])
            #expect(byDescription.object["total"] as? Int == 1)

            let combined = try await world.request(.get, "/tenants/groups?search=beta&filter[name][ne]=Beta")
            #expect(Self.names(combined) == ["Betamax"])

            let none = try await world.request(.get, "/tenants/groups?search=nothing-like-this")
            #expect(Self.names(none).isEmpty)
            #expect(none.object["total"] as? Int == 0)

            try await world.request(.get, "/tenants/groups?filter[members]=x").expectProblem(.badRequest)
        }
    }

    @Test("limit and offset page through groups with page, hasNext and hasPrevious; limit is clamped to 100")
    func listPaging() async throws {
        try await withWorld { world in
            for index in 1...5 { _ = try await world.createGroup("Team \(index)") }
            let middle = try await world.request(.get, "/tenants/groups?limit=2&offset=2")
            #expect(middle.status == .ok)
            #expect(Self.names(middle) == ["Team 2", "Team 3"])
            #expect(middle.object["total"] as? Int == 6)
            #expect(middle.object["page"] as? Int == 1)
            #expect(middle.object["limit"] as? Int == 2)
            #expect(middle.object["hasNext"] as? Bool == true)
            #expect(middle.object["hasPrevious"] as? Bool == true)

            let last = try await world.request(.get, "/tenants/groups?page[limit]=2&page[offset]=4")
            #expect(Self.names(last) == ["Team 4", "Team 5"])
            #expect(last.object["page"] as? Int == 2)
            #expect(last.object["hasNext"] as? Bool == false)
            #expect(last.object["hasPrevious"] as? Bool == true)

            let clamped = try await world.request(.get, "/tenants/groups?limit=1000")
            #expect(clamped.object["limit"] as? Int == 100)
            #expect(Self.names(clamped).count == 6)

            try await world.request(.get, "/tenants/groups?limit=-1").expectProblem(.badRequest)
            try await world.request(.get, "/tenants/groups?offset=two").expectProblem(.badRequest)
        }
    }

    // MARK: - Get one

    @Test("GET one group lists its members, oldest membership first, with their email, and counts them")
    func getWithMembers() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Engineering")
            let first = try await world.createUsers(["ada@example.com"], groups: [group])[0]
            let second = try await world.createUsers(["grace@example.com"], groups: [group])[0]
            _ = try await world.createUsers(["outsider@example.com"])

            let reply = try await world.request(.get, "/tenants/groups/\(group)")
            #expect(reply.status == .ok)
            #expect(reply.object["id"] as? String == group)
            #expect(reply.object["userCount"] as? Int == 2)
            let users = try #require(reply.object["users"] as? [[String: Any]])
            #expect(users.map { $0["email"] as? String } == ["ada@example.com", "grace@example.com"])
            #expect(users.map { $0["id"] as? String } == [first, second])
            #expect(users.allSatisfy { $0["createdAt"] is String && $0["updatedAt"] is String })

            let defaultGroup = try await world.request(.get, "/tenants/groups/\(try await world.defaultGroupId())")
            #expect(defaultGroup.object["userCount"] as? Int == 2)
            #expect(
                Set((defaultGroup.object["users"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }) == [
                    "owner@a.example", "outsider@example.com",
                ])
        }
    }

    @Test("an unknown group id is 404 on GET, PUT and DELETE; a malformed one is 400")
    func unknownAndMalformedIds() async throws {
        try await withWorld { world in
            try await world.request(.get, "/tenants/groups/\(Self.unknownId)").expectProblem(.notFound)
            try await world.request(.put, "/tenants/groups/\(Self.unknownId)", json: ["name": "X", "roles": [String]()]).expectProblem(.notFound)
            try await world.request(.delete, "/tenants/groups/\(Self.unknownId)").expectProblem(.notFound)
            try await world.request(.get, "/tenants/groups/not-a-uuid").expectProblem(.badRequest)
            try await world.request(.delete, "/tenants/groups/not-a-uuid").expectProblem(.badRequest)
            #expect(try await Self.total(world) == 1)
        }
    }
}
