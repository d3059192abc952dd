import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

/// Storms of parallel requests. Whatever the interleaving, no change is lost, every counter stays
/// equal to what it counts, and a conflict is answered 409 or 412 as a problem, never 500.
@Suite("Concurrent changes")
struct ConcurrencyTests {
    /// The system roles a client may assign directly (every system role but OWNER and the
    /// Default group's DEFAULT).
    static let assignable = ["ADMIN", "BASIC", "BILLING", "AUDITOR", "SUPPORT"]

    // MARK: - Helpers

    /// Sends `count` requests at once and answers their replies in call order.
    static func storm(_ count: Int, _ call: @escaping @Sendable (Int) async throws -> Reply) async throws -> [Reply] {
        try await withThrowingTaskGroup(of: (Int, Reply).self) { group in
            for index in 0..<count {
                group.addTask { (index, try await call(index)) }
            }
            var replies = [Reply?](repeating: nil, count: count)
            for try await (index, reply) in group { replies[index] = reply }
            return replies.map { $0! }
        }
    }

    /// Checks one answer of a storm: a 2xx, or a problem+json whose status is in `allowed`; never 5xx.
    static func expectClean(
        _ reply: Reply, _ label: String, allowed: Set<Int> = [409, 412], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let code = reply.status.code
        #expect(code < 500, "\(label): \(code) \(reply.text)", sourceLocation: sourceLocation)
        guard !(200..<300).contains(code) else { return }
        #expect(allowed.contains(code), "\(label): unexpected \(code) \(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.contentType == "application/problem+json", "\(label): \(code) \(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.object["status"] as? Int == code, "\(label): \(reply.text)", sourceLocation: sourceLocation)
    }

    /// How many replies have `status`.
    static func count(_ replies: [Reply], _ status: HTTPResponse.Status) -> Int {
        replies.filter { $0.status == status }.count
    }

    /// A summary of the statuses of a storm, such as `[201: 1, 409: 49]`, for failure messages.
    static func tally(_ replies: [Reply]) -> String {
        let counts = Dictionary(grouping: replies, by: { $0.status.code }).mapValues(\.count)
        return counts.keys.sorted().map { "\($0): \(counts[$0]!)" }.joined(separator: ", ")
    }

    /// The ids of the groups a user belongs to, as GET /users/{id} answers them.
    static func groupIds(_ world: TestWorld, _ user: String) async throws -> Set<String> {
        let reply = try await world.request(.get, "/tenants/users/\(user)")
        #expect(reply.status == .ok, "\(reply.text)")
        return Set((reply.object["groups"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
    }

    /// The types of a user's direct roles.
    static func directRoles(_ world: TestWorld, _ user: String) async throws -> [String] {
        let reply = try await world.request(.get, "/tenants/users/\(user)/roles?rolesOnly=true")
        #expect(reply.status == .ok, "\(reply.text)")
        return reply.array.compactMap { $0["type"] as? String }.sorted()
    }

    /// A group's `userCount` and the ids of its listed members.
    static func members(_ world: TestWorld, _ group: String) async throws -> (count: Int?, ids: [String]) {
        let reply = try await world.request(.get, "/tenants/groups/\(group)")
        #expect(reply.status == .ok, "\(reply.text)")
        let ids = (reply.object["users"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        return (reply.object["userCount"] as? Int, ids)
    }

    /// Every stored counter equals what it counts: each group's `userCount` its members, the
    /// user list's unfiltered total (a counter) the filtered count, and every user is in a group.
    static func expectCountersConsistent(_ world: TestWorld, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let groups = try await world.request(.get, "/tenants/groups?limit=100")
        #expect(groups.status == .ok, sourceLocation: sourceLocation)
        for group in groups.object["data"] as? [[String: Any]] ?? [] {
            let id = try #require(group["id"] as? String, sourceLocation: sourceLocation)
            let (count, ids) = try await members(world, id)
            #expect(count == ids.count, "group \(group["name"] ?? id): userCount \(count ?? -1), \(ids.count) members", sourceLocation: sourceLocation)
            #expect(group["userCount"] as? Int == ids.count, "group \(group["name"] ?? id) in the list", sourceLocation: sourceLocation)
        }
        let counter = try await world.request(.get, "/tenants/users?limit=0").object["total"] as? Int
        let counted = try await world.request(.get, "/tenants/users?limit=0&filter[email][ilike]=%25").object["total"] as? Int
        #expect(counter != nil && counter == counted, "user total \(counter ?? -1) but \(counted ?? -1) users", sourceLocation: sourceLocation)
        let users = try await world.request(.get, "/tenants/users?limit=100")
        for user in users.object["data"] as? [[String: Any]] ?? [] {
            #expect((user["groups"] as? [Any])?.isEmpty == false, "user \(user["email"] ?? "?") is in no group", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Group membership

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

    // MARK: - Roles

    @Test("PATCH roles calls adding each of the five assignable system roles to each of ten users, all 50 in parallel, lose none; removing them in parallel leaves none")
    func patchRolesStorm() async throws {
        try await withWorld { world in
            var roles: [String: String] = [:]
            for type in Self.assignable { roles[type] = try await world.roleId(type) }
            let users = try await world.createUsers((0..<10).map { "role\($0)@example.com" })
            let pairs = users.flatMap { user in Self.assignable.map { (user, $0) } }
            let roleIds = roles

            let added = try await Self.storm(pairs.count) { index in
                let (user, type) = pairs[index]
                return try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [roleIds[type]!], "removedRoles": [String]()])
            }
            for (index, reply) in added.enumerated() {
                Self.expectClean(reply, "add \(pairs[index].1)")
                #expect(reply.status == .ok, "add \(pairs[index].1): \(reply.status.code) \(reply.text)")
                let types = (reply.object["roles"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
                #expect(types.contains(pairs[index].1), "the answer shows the role just added: \(types)")
            }
            for user in users {
                #expect(try await Self.directRoles(world, user) == Self.assignable.sorted(), "user \(user)")
            }
            for (type, id) in roles {
                let holders = try await world.request(.get, "/tenants/roles/\(id)/users?limit=100")
                #expect(Set(holders.array.compactMap { $0["id"] as? String }) == Set(users), "\(type) holders")
                #expect(holders.headers[HTTPField.Name("X-Total-Count")!] == "10", "\(type)")
            }

            let removed = try await Self.storm(pairs.count) { index in
                let (user, type) = pairs[index]
                return try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [String](), "removedRoles": [roleIds[type]!]])
            }
            for (index, reply) in removed.enumerated() {
                Self.expectClean(reply, "remove \(pairs[index].1)")
                #expect(reply.status == .ok, "remove \(pairs[index].1): \(reply.status.code) \(reply.text)")
            }
            for user in users {
                #expect(try await Self.directRoles(world, user).isEmpty, "user \(user)")
                let effective = try await world.request(.get, "/tenants/users/\(user)").object["roles"] as? [[String: Any]] ?? []
                #expect(effective.compactMap { $0["type"] as? String } == ["DEFAULT"])
            }
        }
    }

    @Test("adding a role with PATCH while removing it with DELETE /roles/{id}/users/{userId}, in parallel, ends consistent with the answers")
    func patchAndDeleteRoleTogether() async throws {
        try await withWorld { world in
            let billing = try await world.roleId("BILLING")
            let users = try await world.createUsers((0..<10).map { "flip\($0)@example.com" })
            let replies = try await Self.storm(40) { index in
                let user = users[index / 4]
                return index % 2 == 0
                    ? try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": [billing], "removedRoles": [String]()])
                    : try await world.request(.delete, "/tenants/roles/\(billing)/users/\(user)")
            }
            for (index, reply) in replies.enumerated() {
                // Removing a role not held directly is 404 by contract.
                Self.expectClean(reply, "call \(index)", allowed: [404, 409, 412])
            }
            for (position, user) in users.enumerated() {
                let slice = Array(replies[(position * 4)..<(position * 4 + 4)])
                let adds = [slice[0], slice[2]]
                let removals = [slice[1], slice[3]]
                for add in adds {
                    #expect(add.status == .ok, "add: \(add.status.code) \(add.text)")
                    let types = (add.object["roles"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
                    #expect(types.contains("BILLING"), "each add answers the user holding the role: \(types)")
                }
                for removal in removals { #expect([204, 404].contains(removal.status.code), "remove: \(removal.status.code) \(removal.text)") }
                // Adds always succeed, so a user without the role at the end lost it to a successful removal.
                let holds = try await Self.directRoles(world, user) == ["BILLING"]
                if !holds { #expect(removals.contains { $0.status == .noContent }, "\(user) lost BILLING without a removal") }
            }
            let holders = try await world.request(.get, "/tenants/roles/\(billing)/users?limit=100")
            let holderIds = Set(holders.array.compactMap { $0["id"] as? String })
            for user in users {
                #expect(holderIds.contains(user) == (try await Self.directRoles(world, user) == ["BILLING"]))
            }
        }
    }

    // MARK: - Users

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

    // MARK: - If-Match

    /// The current `ETag` of a user or group, as its GET answers it.
    static func eTag(_ world: TestWorld, _ path: String) async throws -> String {
        let reply = try await world.request(.get, path)
        #expect(reply.status == .ok, "\(path): \(reply.text)")
        return try #require(reply.headers[.eTag], "\(path) carries no ETag")
    }

    @Test("20 parallel changes of one user sent with the same current If-Match: exactly one applies, the other 19 are 412 problems")
    func ifMatchUserStorm() async throws {
        try await withWorld { world in
            let user = try await world.createUsers(["tagged@example.com"])[0]
            var roleList: [String] = []
            for type in Self.assignable { roleList.append(try await world.roleId(type)) }
            var groupList: [String] = []
            for index in 0..<5 { groupList.append(try await world.createGroup("Tagged \(index)")) }
            let roles = roleList
            let groups = groupList
            let path = "/tenants/users/\(user)"

            // Profile edits.
            let tag = try await Self.eTag(world, path)
            let puts = try await Self.storm(20) { index in
                try await world.request(.put, path, json: ["firstName": "Writer\(index)"], headers: ["If-Match": tag])
            }
            for (index, reply) in puts.enumerated() { Self.expectClean(reply, "put \(index)") }
            #expect(Self.count(puts, .ok) == 1 && Self.count(puts, .preconditionFailed) == 19, "\(Self.tally(puts))")
            for reply in puts where reply.status != .ok { reply.expectProblem(.preconditionFailed) }
            let winner = try #require(puts.firstIndex { $0.status == .ok })
            let read = try await world.request(.get, path)
            #expect(read.object["firstName"] as? String == "Writer\(winner)")
            #expect(read.headers[.eTag] == puts[winner].headers[.eTag], "the winner's answer carries the current tag")

            // Role changes, each adding another role.
            let roleTag = try await Self.eTag(world, path)
            let patches = try await Self.storm(20) { index in
                try await world.request(.patch, "\(path)/roles", json: ["addedRoles": [roles[index % 5]], "removedRoles": [String]()], headers: ["If-Match": roleTag])
            }
            for (index, reply) in patches.enumerated() { Self.expectClean(reply, "patch \(index)") }
            #expect(Self.count(patches, .ok) == 1 && Self.count(patches, .preconditionFailed) == 19, "\(Self.tally(patches))")
            #expect(try await Self.directRoles(world, user).count == 1)

            // Joins of different groups.
            let joinTag = try await Self.eTag(world, path)
            let joins = try await Self.storm(20) { index in
                try await world.request(.post, "\(path)/groups", json: ["groupId": groups[index % 5]], headers: ["If-Match": joinTag])
            }
            for (index, reply) in joins.enumerated() { Self.expectClean(reply, "join \(index)") }
            #expect(Self.count(joins, .created) == 1 && Self.count(joins, .preconditionFailed) == 19, "\(Self.tally(joins))")
            #expect(try await Self.groupIds(world, user).count == 2, "Default and one more")

            // Deletes: one wins; the rest find the tag stale or the user gone.
            let deleteTag = try await Self.eTag(world, path)
            let deletes = try await Self.storm(20) { _ in
                try await world.request(.delete, path, headers: ["If-Match": deleteTag])
            }
            for (index, reply) in deletes.enumerated() { Self.expectClean(reply, "delete \(index)", allowed: [404, 412]) }
            #expect(Self.count(deletes, .noContent) == 1, "\(Self.tally(deletes))")
            try await world.request(.get, path).expectProblem(.notFound)
            try await Self.expectCountersConsistent(world)
        }
    }

    @Test("20 parallel replacements of one group sent with the same current If-Match: exactly one applies, the other 19 are 412 problems")
    func ifMatchGroupStorm() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Contested")
            let path = "/tenants/groups/\(group)"
            let tag = try await Self.eTag(world, path)
            let replies = try await Self.storm(20) { index in
                try await world.request(.put, path, json: ["name": "Contested \(index)", "roles": [String]()], headers: ["If-Match": tag])
            }
            for (index, reply) in replies.enumerated() { Self.expectClean(reply, "put \(index)") }
            #expect(Self.count(replies, .ok) == 1 && Self.count(replies, .preconditionFailed) == 19, "\(Self.tally(replies))")
            let winner = try #require(replies.firstIndex { $0.status == .ok })
            let read = try await world.request(.get, path)
            #expect(read.object["name"] as? String == "Contested \(winner)")

            // A join changes the group's tag, so a replacement racing joins with the old tag may lose, but never half applies.
            let users = try await world.createUsers((0..<10).map { "racer\($0)@example.com" })
            let before = try await Self.eTag(world, path)
            let mixed = try await Self.storm(11) { index in
                index == 5
                    ? try await world.request(.put, path, json: ["name": "Renamed", "roles": [String]()], headers: ["If-Match": before])
                    : try await world.request(.post, "/tenants/users/\(users[index < 5 ? index : index - 1])/groups", json: ["groupId": group])
            }
            for (index, reply) in mixed.enumerated() { Self.expectClean(reply, "call \(index)") }
            #expect([200, 412].contains(mixed[5].status.code), "put: \(mixed[5].status.code) \(mixed[5].text)")
            let after = try await world.request(.get, path).object
            #expect(after["name"] as? String == (mixed[5].status == .ok ? "Renamed" : "Contested \(winner)"))
            #expect(after["userCount"] as? Int == 10)
            try await Self.expectCountersConsistent(world)
        }
    }

    @Test("parallel PUTs of different profile fields of one user all apply")
    func profileFieldsTogether() async throws {
        try await withWorld { world in
            for round in 0..<5 {
                let user = try await world.createUsers(["profile\(round)@example.com"])[0]
                let replies = try await Self.storm(4) { index in
                    let bodies: [[String: Any]] = [
                        ["firstName": "Ada\(round)"], ["lastName": "Lovelace\(round)"], ["image": "https://img.example/\(round).png"], ["maxDevices": round + 1],
                    ]
                    return try await world.request(.put, "/tenants/users/\(user)", json: bodies[index])
                }
                for reply in replies {
                    Self.expectClean(reply, "round \(round) put")
                    #expect(reply.status == .ok, "\(reply.text)")
                }
                let read = try await world.request(.get, "/tenants/users/\(user)").object
                #expect(read["firstName"] as? String == "Ada\(round)")
                #expect(read["lastName"] as? String == "Lovelace\(round)")
                #expect(read["image"] as? String == "https://img.example/\(round).png")
                #expect(read["maxDevices"] as? Int == round + 1)
            }
        }
    }
}
