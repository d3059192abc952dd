import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Concurrent changes: group membership")
struct GroupMembershipConcurrencyTests: ConcurrencyTestSupport {
    @Test("one user joining 50 different groups in 50 parallel calls ends in all 50, each group counting one member")
    func joinFiftyGroupsAtOnce() async throws {
        try await withWorld { world in
            var created: [String] = []
            for index in 0..<50 { created.append(try await world.createGroup("Team \(index)")) }
            let groups = created
            let user = try await world.createUsers(["joiner@example.com"])[0]
            let defaultGroup = try await world.defaultGroupId()

            let replies = try await Self.storm(50) { index in
                try await world.request(.post, "/tenants/users/\(user)/groups", json: ["groupId": groups[index]])
            }
            for (index, reply) in replies.enumerated() {
                Self.expectClean(reply, "join \(index)")
                #expect(reply.status == .created, "join \(index): \(reply.status.code) \(reply.text)")
            }
            #expect(Self.count(replies, .created) == 50, "\(Self.tally(replies))")

            let joined = try await Self.groupIds(world, user)
            #expect(joined.count == 51, "Default plus 50 groups, found \(joined.count)")
            #expect(joined == Set(groups).union([defaultGroup]))
            for group in groups {
                let (count, ids) = try await Self.members(world, group)
                #expect(count == 1 && ids == [user], "group \(group): userCount \(count ?? -1), members \(ids)")
            }
            try await Self.expectCountersConsistent(world)
        }
    }

    @Test("50 parallel joins of the same group leave one membership: one 201 and 49 clean 409 problems")
    func sameJoinFiftyTimes() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Crowded")
            let user = try await world.createUsers(["eager@example.com"])[0]

            let replies = try await Self.storm(50) { _ in
                try await world.request(.post, "/tenants/users/\(user)/groups", json: ["groupId": group])
            }
            for (index, reply) in replies.enumerated() { Self.expectClean(reply, "join \(index)") }
            #expect(Self.count(replies, .created) == 1, "\(Self.tally(replies))")
            #expect(Self.count(replies, .conflict) == 49, "\(Self.tally(replies))")
            for reply in replies where reply.status != .created { reply.expectProblem(.conflict) }

            let (count, ids) = try await Self.members(world, group)
            #expect(count == 1, "userCount \(count ?? -1)")
            #expect(ids == [user])
            #expect(try await Self.groupIds(world, user) == [group, try await world.defaultGroupId()])
            try await Self.expectCountersConsistent(world)
        }
    }

    @Test("parallel joins and leaves of the same user and group end consistent: membership and userCount match the successes")
    func joinAndLeaveTogether() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Revolving door")
            let user = try await world.createUsers(["door@example.com"])[0]
            let defaultGroup = try await world.defaultGroupId()

            for round in 0..<3 {
                let before = try await Self.groupIds(world, user).contains(group) ? 1 : 0
                let replies = try await Self.storm(40) { index in
                    index % 2 == 0
                        ? try await world.request(.post, "/tenants/users/\(user)/groups", json: ["groupId": group])
                        : try await world.request(.delete, "/tenants/users/\(user)/groups/\(group)")
                }
                var joins = 0
                var leaves = 0
                for (index, reply) in replies.enumerated() {
                    if index % 2 == 0 {
                        Self.expectClean(reply, "round \(round) join \(index)")
                        #expect([201, 409].contains(reply.status.code), "join: \(reply.status.code) \(reply.text)")
                        if reply.status == .created { joins += 1 }
                    } else {
                        // Leaving a group one is not in is 404 by contract.
                        Self.expectClean(reply, "round \(round) leave \(index)", allowed: [404, 409, 412])
                        #expect([204, 404].contains(reply.status.code), "leave: \(reply.status.code) \(reply.text)")
                        if reply.status == .noContent { leaves += 1 }
                    }
                }
                let after = try await Self.groupIds(world, user)
                let member = after.contains(group) ? 1 : 0
                #expect(before + joins - leaves == member, "round \(round): \(before) + \(joins) joins - \(leaves) leaves, member: \(member)")
                #expect(after.contains(defaultGroup))
                let (count, ids) = try await Self.members(world, group)
                #expect(count == member && ids.count == member, "round \(round): userCount \(count ?? -1), members \(ids)")
            }
            try await Self.expectCountersConsistent(world)
        }
    }

    @Test("a user leaving their last two groups in parallel keeps exactly one: one 204 and one 409")
    func leaveLastTwoGroupsTogether() async throws {
        try await withWorld { world in
            for round in 0..<10 {
                let first = try await world.createGroup("Left \(round)")
                let second = try await world.createGroup("Right \(round)")
                let user = try await world.createUsers(["twice\(round)@example.com"], groups: [first, second])[0]

                let replies = try await Self.storm(2) { index in
                    try await world.request(.delete, "/tenants/users/\(user)/groups/\([first, second][index])")
                }
                for reply in replies { Self.expectClean(reply, "round \(round) leave") }
                #expect(Self.count(replies, .noContent) == 1 && Self.count(replies, .conflict) == 1, "round \(round): \(Self.tally(replies))")
                let remaining = try await Self.groupIds(world, user)
                #expect(remaining.count == 1, "round \(round): the user is in \(remaining.count) groups")
            }
            try await Self.expectCountersConsistent(world)
        }
    }

    @Test("deleting a group while 30 users join it: joins answer 201 or 422, never 500, and counts stay exact")
    func deleteGroupDuringJoins() async throws {
        try await withWorld { world in
            let emails = (0..<30).map { "late\($0)@example.com" }
            let users = try await world.createUsers(emails)
            let defaultGroup = try await world.defaultGroupId()
            for round in 0..<3 {
                let group = try await world.createGroup("Short-lived \(round)")
                // The delete goes in the middle so joins run before and after it.
                let replies = try await Self.storm(31) { index in
                    index == 15
                        ? try await world.request(.delete, "/tenants/groups/\(group)")
                        : try await world.request(.post, "/tenants/users/\(users[index < 15 ? index : index - 1])/groups", json: ["groupId": group])
                }
                for (index, reply) in replies.enumerated() {
                    Self.expectClean(reply, "round \(round) call \(index)", allowed: [409, 412, 422])
                }
                #expect(replies[15].status == .noContent, "delete: \(replies[15].status.code) \(replies[15].text)")
                try await world.request(.get, "/tenants/groups/\(group)").expectProblem(.notFound)
                for user in users {
                    #expect(try await Self.groupIds(world, user) == [defaultGroup], "round \(round): \(user)")
                }
            }
            let (count, ids) = try await Self.members(world, defaultGroup)
            #expect(count == 31 && ids.count == 31, "Default: userCount \(count ?? -1), \(ids.count) members")
            try await Self.expectCountersConsistent(world)
        }
    }

    @Test("deleting a group while its members leave their other group never leaves a user in no group")
    func deleteGroupWhileMembersLeaveTheOther() async throws {
        try await withWorld { world in
            for round in 0..<3 {
                let doomed = try await world.createGroup("Doomed \(round)")
                let other = try await world.createGroup("Other \(round)")
                let emails = (0..<20).map { "both\(round)-\($0)@example.com" }
                let users = try await world.createUsers(emails, groups: [doomed, other])

                let replies = try await Self.storm(21) { index in
                    index == 10
                        ? try await world.request(.delete, "/tenants/groups/\(doomed)")
                        : try await world.request(.delete, "/tenants/users/\(users[index < 10 ? index : index - 1])/groups/\(other)")
                }
                for (index, reply) in replies.enumerated() { Self.expectClean(reply, "round \(round) call \(index)") }
                #expect(replies[10].status == .noContent, "delete: \(replies[10].status.code) \(replies[10].text)")
                for (index, user) in users.enumerated() {
                    let groups = try await Self.groupIds(world, user)
                    #expect(!groups.isEmpty, "round \(round): \(emails[index]) is in no group after \(Self.tally(replies))")
                    #expect(!groups.contains(doomed))
                }
            }
            try await Self.expectCountersConsistent(world)
        }
    }
}
