import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

/// Helpers shared by the concurrency suites (`…ConcurrencyTests`): each suite conforms, so its tests reach them as `Self.…`.
///
/// Storms of parallel requests. Whatever the interleaving, no change is lost, every counter stays
/// equal to what it counts, and a conflict is answered 409 or 412 as a problem, never 500.
protocol ConcurrencyTestSupport {}

extension ConcurrencyTestSupport {
    /// The system roles a client may assign directly (every system role but OWNER and the
    /// Default group's DEFAULT).
    static var assignable: [String] { ["ADMIN", "BASIC", "BILLING", "AUDITOR", "SUPPORT"] }

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
            #expect(
                count == ids.count, "group \(group["name"] ?? id): userCount \(count ?? -1), \(ids.count) members", sourceLocation: sourceLocation)
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
}
