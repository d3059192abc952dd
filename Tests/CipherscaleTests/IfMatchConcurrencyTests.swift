import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Concurrent changes: If-Match")
struct IfMatchConcurrencyTests: ConcurrencyTestSupport {
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
                try await world.request(
                    .patch, "\(path)/roles", json: ["addedRoles": [roles[index % 5]], "removedRoles": [String]()], headers: ["If-Match": roleTag])
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
                        ["firstName": "Ada\(round)"], ["lastName": "Lovelace\(round)"], ["image": "https://img.example/\(round).png"],
                        ["maxDevices": round + 1],
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
