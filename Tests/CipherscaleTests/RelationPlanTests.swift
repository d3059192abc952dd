import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

/// A filtered list is answered either by walking the sort index and testing each row, or (when
/// matches are few) by reading the matches through the filters' own indexes (a group's members, a
/// role's holders) and sorting them. Both plans must give the same pages and cursors.
@Suite("Filtered lists: both plans agree")
struct RelationPlanTests {
    @Test("pages walked by cursor are the same with either plan, for groups, roles and other filters, in every order")
    func plansAgree() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Plan", roles: [try await world.roleId("SUPPORT")])
            let emails = (0..<24).map { String(format: "plan%02d@relation.example", $0) }
            let inGroup = try await world.createUsers(Array(emails.prefix(14)), groups: [group])
            let others = try await world.createUsers(Array(emails.suffix(10)))
            for (index, id) in (inGroup + others).enumerated() where index % 3 == 0 {
                _ = try await world.request(.put, "/tenants/users/\(id)", json: ["firstName": ["Zoe", "adam", "Mia"][index % 3]])
            }
            let support = try await world.roleId("SUPPORT")
            let direct = others.prefix(3)
            for id in direct {
                let reply = try await world.request(.patch, "/tenants/users/\(id)/roles", json: ["addedRoles": [support], "removedRoles": []])
                #expect(reply.status == .ok)
            }
            let tenant = TenantID(world.a.id)!
            let list = SQLUserRepository.userList(of: tenant.rawValue)
            let pager = ListPager(list: list, schema: .users, kind: world.pool.kind)
            let filters = [
                "filter[groups.id]=\(group)", "filter[roles.id]=\(support)", "filter[groups.id]=\(group)&filter[status]=pending",
                "filter[firstName]=Zoe", "filter[status]=pending&filter[firstName][ne]=adam",
            ]
            for filter in filters {
                for sort in ["email", "-email", "firstName", "-createdAt", "lastConnection"] {
                    var walks: [[String]] = []
                    for asSets in [false, true] {
                        var seen: [String] = []
                        var after: String?
                        repeat {
                            var raw = "\(filter)&sort=\(sort)&limit=5"
                            if let after { raw += "&after=\(after)" }
                            let query = try ListQuery.parse(raw, schema: .users)
                            let page = try await world.pool.read { db in
                                try await pager.page(
                                    db, query: query, columns: SQLStore.userColumns, from: "users u", scope: "u.tenant_id = \(bind: tenant.rawValue)",
                                    relationsAsSets: asSets, fewMatches: asSets ? ListPager.fewMatches : 0, idsFirst: true,
                                    decode: UserRecord.init(row:), id: \.id.rawValue)
                            }
                            seen += page.items.map(\.id.rawValue)
                            after = page.nextCursor
                        } while after != nil && seen.count < 100
                        walks.append(seen)
                    }
                    #expect(walks[0] == walks[1], "\(filter) sorted by \(sort)")
                    #expect(!walks[0].isEmpty, "\(filter) sorted by \(sort)")
                    if filter.contains("roles.id") { #expect(Set(walks[0]).count == 17) }
                    if filter.hasPrefix("filter[groups.id]") { #expect(Set(walks[0]).count == 14) }
                }
            }
            // Through the API (the members are few here, so the set plan), totals are exact.
            let reply = try await world.request(.get, "/tenants/users?filter[roles.id]=\(support)&limit=2")
            #expect(reply.object["total"] as? Int == 17)
        }
    }
}
