import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// Totals of lists filtered by status come from per-status counters kept by triggers: they must
/// equal a real count after every kind of status change.
@Suite("Status counters")
struct StatusCountTests {
    /// The total the API answers for `filter` and the number of users it actually lists.
    func totalAndCount(_ world: TestWorld, _ filter: String) async throws -> (total: Int, listed: Int) {
        let page = try await world.request(.get, "/tenants/users?limit=100&\(filter)")
        #expect(page.status == .ok, "\(page.text)")
        return (page.object["total"] as? Int ?? -1, (page.object["data"] as? [Any])?.count ?? -1)
    }

    func expectExact(_ world: TestWorld, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for filter in [
            "filter[status][eq]=pending", "filter[status][eq]=active", "filter[status][eq]=inactive", "filter[status]=active",
            "filter[status][in]=pending,inactive", "filter[status][ne]=active", "filter[status][nin]=active,inactive",
        ] {
            let (total, listed) = try await totalAndCount(world, filter)
            #expect(total == listed, "\(filter): total \(total), listed \(listed)", sourceLocation: sourceLocation)
        }
    }

    @Test("create, accept, deactivate, reactivate and delete keep every status total exact")
    func countersFollowEveryChange() async throws {
        try await withWorld { world in
            let ids = try await world.createUsers((0..<6).map { "count\($0)@example.com" })
            try await expectExact(world)
            #expect(try await totalAndCount(world, "filter[status][eq]=pending").total == 6)
            let transport = RecordingTransport()
            try await world.worker(transport).processDue()
            let token = try #require(MailText.token(transport.sent.first { $0.to == "count0@example.com" }!))
            let accepted = try await world.request(
                .post, "/invitations/\(token)/accept", auth: .none, json: ["firstName": "A", "lastName": "B"])
            #expect(accepted.status == .ok)
            #expect(try await world.request(.patch, "/tenants/users/\(ids[1])/deactivate").status == .ok)
            #expect(try await world.request(.patch, "/tenants/users/\(ids[2])/deactivate").status == .ok)
            // Deactivating an inactive user changes nothing, and the count must not move either.
            #expect(try await world.request(.patch, "/tenants/users/\(ids[2])/deactivate").status == .ok)
            #expect(try await world.request(.post, "/tenants/users/\(ids[2])/reactivate").status.code < 300)
            #expect(try await world.request(.delete, "/tenants/users/\(ids[3])").status == .noContent)
            #expect(try await world.request(.delete, "/tenants/users/\(ids[1])").status == .noContent)
            try await expectExact(world)
            // The owner (active), count0 (accepted), count2 (reactivated: pending again or active).
            let active = try await totalAndCount(world, "filter[status][eq]=active").total
            let pending = try await totalAndCount(world, "filter[status][eq]=pending").total
            let inactive = try await totalAndCount(world, "filter[status][eq]=inactive").total
            #expect(active + pending + inactive == 5)
            #expect(inactive == 0)
            // Another tenant's users never count here.
            _ = try await world.request(.post, "/tenants/users", auth: .key(world.b.adminKey), json: ["email": "b@example.com", "groups": []])
            #expect(try await totalAndCount(world, "filter[status][eq]=pending").total == pending)
        }
    }
}
