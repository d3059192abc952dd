import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// Helpers shared by the mass-assignment suites (`…MassAssignmentTests`): each suite conforms, so its tests reach them as `Self.…`.
///
/// Fields a client must not set (`id`, `isOwner`, `status`, `createdAt`, `tenant`, and their
/// look-alikes) are ignored or refused on every write body, never applied.
protocol MassAssignmentTestSupport {}

extension MassAssignmentTestSupport {
    /// An id no server would make for this test's resources.
    static var foreignId: String { "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f" }

    static var ancient: String { "2001-01-01T00:00:00Z" }

    /// Fields no client may set, with values that would be wrong if applied. `status` is the
    /// status the attacker wants.
    static func forbidden(_ world: TestWorld, status: String) -> [String: Any] {
        [
            "id": foreignId, "isOwner": true, "is_owner": true, "owner": true, "status": status,
            "createdAt": ancient, "created_at": ancient, "updatedAt": ancient, "updated_at": ancient,
            "tenant": world.b.id, "tenantId": world.b.id, "tenant_id": world.b.id,
        ]
    }

    /// `body` with `extra` added; the fields of `body` win.
    static func with(_ body: [String: Any], _ extra: [String: Any]) -> [String: Any] {
        body.merging(extra) { own, _ in own }
    }

    /// True when the write was accepted with `expected`; otherwise checks that it was refused
    /// with a 400 or 422 problem and answers false.
    static func accepted(
        _ reply: Reply, _ expected: HTTPResponse.Status, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        if reply.status == expected { return true }
        #expect([400, 422].contains(reply.status.code), "\(label): \(reply.status.code) \(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.contentType == "application/problem+json", "\(label)", sourceLocation: sourceLocation)
        return false
    }

    /// Checks that a timestamp was made by the server between `since` and now.
    static func expectRecent(_ value: Any?, since: Millis, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let millis = (value as? String).flatMap(Timestamps.parse)
        #expect(
            millis.map { $0 >= since - 1000 && $0 <= SystemClock().now() + 1000 } == true, "\(label): \(value ?? "nil")",
            sourceLocation: sourceLocation)
    }

    /// Checks a User answer: the expected id (or a fresh server-made one), not the owner, the
    /// expected status, and the expected creation time (or a recent one).
    static func expectUser(
        _ user: [String: Any], id: String?, status: String, createdAt: String?, since: Millis, isOwner: Bool = false, _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let actual = user["id"] as? String
        #expect(actual != foreignId, "\(label): the client's id was used", sourceLocation: sourceLocation)
        if let id {
            #expect(actual == id, "\(label)", sourceLocation: sourceLocation)
        } else {
            #expect(actual.map { Identifiers.canonical($0) == $0 } == true, "\(label): \(actual ?? "nil")", sourceLocation: sourceLocation)
        }
        #expect(user["isOwner"] as? Bool == isOwner, "\(label): isOwner \(user["isOwner"] ?? "nil")", sourceLocation: sourceLocation)
        #expect(user["status"] as? String == status, "\(label): status \(user["status"] ?? "nil")", sourceLocation: sourceLocation)
        if let createdAt {
            #expect(user["createdAt"] as? String == createdAt, "\(label): createdAt \(user["createdAt"] ?? "nil")", sourceLocation: sourceLocation)
        } else {
            expectRecent(user["createdAt"], since: since, "\(label) createdAt", sourceLocation: sourceLocation)
        }
        expectRecent(user["updatedAt"], since: since, "\(label) updatedAt", sourceLocation: sourceLocation)
    }

    /// The path answers 200 to tenant A and a 404 problem to tenant B.
    static func expectOnlyInTenantA(_ world: TestWorld, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let mine = try await world.request(.get, path)
        #expect(mine.status == .ok, "\(path) as A: \(mine.status.code) \(mine.text)", sourceLocation: sourceLocation)
        let theirs = try await world.request(.get, path, auth: .key(world.b.adminKey))
        #expect(theirs.status == .notFound, "\(path) as B: \(theirs.status.code) \(theirs.text)", sourceLocation: sourceLocation)
    }

    /// Tenant B still has only its owner, its Default group and no devices, and nothing of A has the client's id.
    static func expectTenantBUntouched(_ world: TestWorld, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let keyB = Auth.key(world.b.adminKey)
        let users = try await world.request(.get, "/tenants/users?limit=100", auth: keyB)
        #expect(
            (users.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == [world.b.ownerId], "\(users.text)",
            sourceLocation: sourceLocation)
        let groups = try await world.request(.get, "/tenants/groups?limit=100", auth: keyB)
        #expect(
            (groups.object["data"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } == ["Default"], "\(groups.text)",
            sourceLocation: sourceLocation)
        let devices = try await world.request(.get, "/tenants/devices?limit=0", auth: keyB)
        #expect(devices.object["total"] as? Int == 0, "\(devices.text)", sourceLocation: sourceLocation)
        for path in ["/tenants/users/\(foreignId)", "/tenants/groups/\(foreignId)", "/tenants/devices/\(foreignId)"] {
            #expect(try await world.request(.get, path).status == .notFound, "\(path) exists", sourceLocation: sourceLocation)
            #expect(try await world.request(.get, path, auth: keyB).status == .notFound, "\(path) exists in B", sourceLocation: sourceLocation)
        }
    }

    /// The types of a user's effective roles.
    static func roleTypes(_ user: [String: Any]) -> Set<String> {
        Set((user["roles"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String })
    }
}
