import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Concurrent changes: users")
struct UserConcurrencyTests: ConcurrencyTestSupport {
    @Test("parallel deletes of the same user: one 204, the rest 404 problems, and every counter drops by one")
    func deleteSameUserTogether() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Leaving")
            let defaultGroup = try await world.defaultGroupId()
            let victim = try await world.createUsers(["victim@example.com"], groups: [group, defaultGroup])[0]
            let bystander = try await world.createUsers(["bystander@example.com"])[0]
            let before = try await world.request(.get, "/tenants/users?limit=0").object["total"] as? Int

            let replies = try await Self.storm(20) { _ in try await world.request(.delete, "/tenants/users/\(victim)") }
            for (index, reply) in replies.enumerated() { Self.expectClean(reply, "delete \(index)", allowed: [404, 409, 412]) }
            #expect(Self.count(replies, .noContent) == 1, "\(Self.tally(replies))")
            #expect(Self.count(replies, .notFound) == 19, "\(Self.tally(replies))")
            for reply in replies where reply.status != .noContent { reply.expectProblem(.notFound) }

            try await world.request(.get, "/tenants/users/\(victim)").expectProblem(.notFound)
            #expect(try await world.request(.get, "/tenants/users?limit=0").object["total"] as? Int == before.map { $0 - 1 })
            #expect(try await Self.members(world, group).count == 0)
            let (count, ids) = try await Self.members(world, defaultGroup)
            #expect(count == 2 && Set(ids) == [world.a.ownerId, bystander], "Default: userCount \(count ?? -1), \(ids)")
            try await Self.expectCountersConsistent(world)
        }
    }

    @Test("parallel batch creates with overlapping emails (in any case) create each email exactly once, losers 409 with nothing half made")
    func overlappingBatches() async throws {
        try await withWorld { world in
            // Batch i holds emails i..<i+5 of 14; odd batches spell them in capitals.
            let batches = (0..<10).map { batch in
                (batch..<(batch + 5)).map { batch % 2 == 0 ? "shared\($0)@example.com" : "SHARED\($0)@Example.COM" }
            }
            let replies = try await Self.storm(batches.count) { index in
                try await world.request(.post, "/tenants/users", json: batches[index].map { ["email": $0, "groups": [String]()] })
            }
            var winners: [Int] = []
            for (index, reply) in replies.enumerated() {
                Self.expectClean(reply, "batch \(index)")
                #expect([201, 409].contains(reply.status.code), "batch \(index): \(reply.status.code) \(reply.text)")
                if reply.status == .created {
                    winners.append(index)
                    #expect(reply.array.compactMap { $0["email"] as? String } == batches[index], "batch \(index) answers its users in order")
                } else {
                    reply.expectProblem(.conflict)
                }
            }
            #expect(!winners.isEmpty, "\(Self.tally(replies))")

            // Winning batches never share an email.
            var created: [String: String] = [:]
            for index in winners {
                for user in replies[index].array {
                    let key = (user["email"] as? String ?? "").lowercased()
                    #expect(created[key] == nil, "\(key) created twice")
                    created[key] = user["id"] as? String
                }
            }

            let list = try await world.request(.get, "/tenants/users?limit=100")
            let stored = (list.object["data"] as? [[String: Any]] ?? []).filter { $0["id"] as? String != world.a.ownerId }
            #expect(stored.count == created.count, "\(stored.count) users stored, \(created.count) answered created")
            var seen: [String: String] = [:]
            for user in stored {
                let key = (user["email"] as? String ?? "").lowercased()
                #expect(seen[key] == nil, "\(key) stored twice")
                seen[key] = user["id"] as? String
            }
            #expect(seen == created, "the stored users are exactly the answered ones")

            // Nothing of a losing batch is left behind: one invitation and one message per user.
            let (invitations, messages) = try await world.pool.read { db in
                let invitations = try await db.raw("SELECT COUNT(*) AS n FROM invitations WHERE tenant_id = \(bind: world.a.id)")
                    .first()!.decode(column: "n", as: Int.self)
                let messages = try await db.raw("SELECT COUNT(*) AS n FROM outbox_messages WHERE tenant_id = \(bind: world.a.id)")
                    .first()!.decode(column: "n", as: Int.self)
                return (invitations, messages)
            }
            #expect(invitations == created.count)
            #expect(messages == created.count)
            let (count, ids) = try await Self.members(world, try await world.defaultGroupId())
            #expect(count == created.count + 1 && ids.count == created.count + 1, "Default: userCount \(count ?? -1), \(ids.count) members")
            try await Self.expectCountersConsistent(world)
        }
    }

    @Test("20 parallel creates of the same email, or of the same group name, in any case, make exactly one; the rest are 409")
    func sameEmailAndSameGroupName() async throws {
        try await withWorld { world in
            let spellings = ["twin@example.com", "TWIN@example.com", "Twin@Example.com", "twin@EXAMPLE.COM"]
            let users = try await Self.storm(20) { index in
                try await world.request(.post, "/tenants/users", json: ["email": spellings[index % 4], "groups": [String]()])
            }
            for (index, reply) in users.enumerated() { Self.expectClean(reply, "create \(index)") }
            #expect(Self.count(users, .created) == 1 && Self.count(users, .conflict) == 19, "\(Self.tally(users))")
            let found = try await world.request(.get, "/tenants/users?filter[email][ilike]=twin%25")
            #expect(found.object["total"] as? Int == 1)

            let names = ["Ops", "OPS", "ops", "oPs"]
            let groups = try await Self.storm(20) { index in
                try await world.request(.post, "/tenants/groups", json: ["name": names[index % 4], "roles": [String]()])
            }
            for (index, reply) in groups.enumerated() { Self.expectClean(reply, "group \(index)") }
            #expect(Self.count(groups, .created) == 1 && Self.count(groups, .conflict) == 19, "\(Self.tally(groups))")
            #expect(try await world.request(.get, "/tenants/groups?limit=0").object["total"] as? Int == 2)
            try await Self.expectCountersConsistent(world)
        }
    }
}
