import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("Sort tie-break")
struct SortTieBreakTests {
    @Test("ties are broken by id in the direction of the last sort item, so every order is one index walk")
    func tieBreakFollowsTheLastKey() async throws {
        try await withWorld { world in
            let ids = try await world.createUsers((0..<5).map { "tie\($0)@a.example" })
            func order(_ query: String) async throws -> [String] {
                let reply = try await world.request(.get, "/tenants/users?limit=100&filter[status]=pending&\(query)")
                #expect(reply.status == .ok)
                return (reply.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            }
            // None of them ever connected: one block of equal (null) keys.
            #expect(try await order("sort=-lastConnection") == ids.sorted(by: >))
            #expect(try await order("sort=lastConnection") == ids.sorted())
            #expect(try await order("sort=status") == ids.sorted())
            #expect(try await order("sort=status:desc") == ids.sorted(by: >))
            #expect(try await order("sort=-status,lastConnection") == ids.sorted())
        }
    }
}
