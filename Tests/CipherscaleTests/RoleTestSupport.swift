import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// Helpers shared by the role suites (`Role…Tests`): each suite conforms, so its tests reach them as `Self.…`.
protocol RoleTestSupport {}

extension RoleTestSupport {
    static var unknownId: String { "550e8400-e29b-41d4-a716-446655440000" }

    /// The `type` of every role in a JSON array of roles.
    static func types(_ roles: Any?) -> Set<String> {
        Set((roles as? [[String: Any]] ?? []).compactMap { $0["type"] as? String })
    }

    /// The `email` of every user in an array answer, in order.
    static func emails(_ reply: Reply) -> [String] {
        reply.array.compactMap { $0["email"] as? String }
    }

    /// Changes a user's direct roles and expects 200.
    static func patchRoles(_ world: TestWorld, _ user: String, add: [String] = [], remove: [String] = []) async throws {
        let reply = try await world.request(.patch, "/tenants/users/\(user)/roles", json: ["addedRoles": add, "removedRoles": remove])
        #expect(reply.status == .ok, "\(reply.text)")
    }
}
