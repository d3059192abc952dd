import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// Helpers shared by the group suites (`Group…Tests`): each suite conforms, so its tests reach them as `Self.…`.
protocol GroupTestSupport {}

extension GroupTestSupport {
    static var unknownId: String { "550e8400-e29b-41d4-a716-446655440000" }

    /// The `name` of every group on a list page, in order.
    static func names(_ reply: Reply) -> [String] {
        (reply.object["data"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }

    /// The `type` of every role in a JSON array of roles.
    static func types(_ roles: Any?) -> Set<String> {
        Set((roles as? [[String: Any]] ?? []).compactMap { $0["type"] as? String })
    }

    /// The number of groups tenant A has.
    static func total(_ world: TestWorld) async throws -> Int? {
        try await world.request(.get, "/tenants/groups?limit=0").object["total"] as? Int
    }
}
