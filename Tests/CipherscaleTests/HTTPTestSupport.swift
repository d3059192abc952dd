import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// Helpers shared by the HTTP behaviour suites (`HTTP…Tests`): each suite conforms, so its tests reach them as `Self.…`.
protocol HTTPTestSupport {}

extension HTTPTestSupport {
    static var unknownId: String { "550e8400-e29b-41d4-a716-446655440000" }

    func total(_ world: TestWorld) async throws -> Int? {
        try await world.request(.get, "/tenants/users?limit=0").object["total"] as? Int
    }
}
