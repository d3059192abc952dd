import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

/// Helpers shared by the device suites (`Device…Tests`): each suite conforms, so its tests reach them as `Self.…`.
protocol DeviceTestSupport {}

extension DeviceTestSupport {
    static var unknownId: String { "550e8400-e29b-41d4-a716-446655440000" }

    /// A posture with nested objects, arrays, numbers, booleans, null and non-ASCII text.
    static var richPosture: [String: Any] {
        [
            "compliant": true,
            "lastCheck": "2024-05-01T10:00:00Z",
            "score": 87.5,
            "patches": 12,
            "checks": [["name": "disk-encryption", "ok": true], ["name": "firewall", "ok": false, "details": NSNull()]],
            "os": ["name": "macOS", "version": "14.4.1", "kernel": ["arch": "arm64", "flags": [1, 2, 3], "empty": [String: Any]()]],
            "note": "héllo ✓",
        ]
    }

    /// Canonical text of parsed JSON, so two values compare equal when their JSON is equal.
    static func canonical(_ json: Any?) -> String {
        guard let json, let data = try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .fragmentsAllowed]) else {
            return "<no JSON>"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Creates users in tenant A (or with `key`) who accepted their invitation, with first and last names.
    static func activeUsers(_ world: TestWorld, _ emails: [String], groups: [String] = [], key: String? = nil) async throws -> [String] {
        let ids = try await world.createUsers(emails, groups: groups, key: key)
        for (index, id) in ids.enumerated() {
            let put = try await world.request(
                .put, "/tenants/users/\(id)", auth: .key(key ?? world.a.adminKey), json: ["firstName": "First\(index)", "lastName": "Last\(index)"])
            #expect(put.status == .ok, "\(put.text)")
            try await world.pool.transaction { db in
                try await db.raw("UPDATE users SET status = 'active', invitation_accepted = \(bind: true) WHERE id = \(bind: id)").run()
            }
        }
        return ids
    }

    static func activeUser(_ world: TestWorld, _ email: String, groups: [String] = [], key: String? = nil) async throws -> String {
        try await activeUsers(world, [email], groups: groups, key: key)[0]
    }

    /// Sends a registration.
    static func register(
        _ world: TestWorld, user: String, name: String = "Laptop", hardwareId: String, appVersion: String = "1.0.0",
        posture: [String: Any]? = nil, auth: Auth = .adminA
    ) async throws -> Reply {
        var body: [String: Any] = ["userId": user, "name": name, "hardwareId": hardwareId, "appVersion": appVersion]
        if let posture { body["posture"] = posture }
        return try await world.request(.post, "/tenants/devices", auth: auth, json: body)
    }

    /// Registers a device and returns its id; fails the test unless 201.
    static func device(
        _ world: TestWorld, user: String, name: String = "Laptop", hardwareId: String, appVersion: String = "1.0.0",
        posture: [String: Any]? = nil, key: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let reply = try await register(
            world, user: user, name: name, hardwareId: hardwareId, appVersion: appVersion, posture: posture, auth: .key(key ?? world.a.adminKey))
        #expect(reply.status == .created, "\(reply.text)", sourceLocation: sourceLocation)
        return try #require(reply.object["id"] as? String, sourceLocation: sourceLocation)
    }

    /// Sets a device's stored last heartbeat (milliseconds; nil clears it).
    static func setLastConnection(_ world: TestWorld, _ id: String, _ millis: Millis?) async throws {
        try await world.pool.transaction { db in
            try await db.raw("UPDATE devices SET last_connection = \(bind: millis) WHERE id = \(bind: id)").run()
        }
    }

    /// The devices of a list page.
    static func data(_ reply: Reply) -> [[String: Any]] { reply.object["data"] as? [[String: Any]] ?? [] }

    /// The ids of a list page, in order.
    static func ids(_ reply: Reply) -> [String] { data(reply).compactMap { $0["id"] as? String } }

    /// GET /tenants/devices?query as tenant A's admin, checking 200.
    static func list(_ world: TestWorld, _ query: String, auth: Auth = .adminA, sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> Reply
    {
        let reply = try await world.request(.get, "/tenants/devices?\(query)", auth: auth)
        #expect(reply.status == .ok, "\(query): \(reply.text)", sourceLocation: sourceLocation)
        return reply
    }

    /// Checks the fields every Device answer carries.
    static func expectDeviceShape(_ device: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        let id = device["id"] as? String
        #expect(id != nil && Identifiers.canonical(id!) == id, "\(device)", sourceLocation: sourceLocation)
        #expect((device["createdAt"] as? String).flatMap(Timestamps.parse) != nil, "\(device)", sourceLocation: sourceLocation)
        #expect((device["updatedAt"] as? String).flatMap(Timestamps.parse) != nil, "\(device)", sourceLocation: sourceLocation)
        #expect(device["active"] is Bool, "\(device)", sourceLocation: sourceLocation)
        #expect(["Online", "Offline", "Deactivated"].contains(device["status"] as? String ?? ""), "\(device)", sourceLocation: sourceLocation)
        #expect(device["hardwareId"] is String, "\(device)", sourceLocation: sourceLocation)
        if let last = device["lastConnection"] {
            #expect((last as? String).flatMap(Timestamps.parse) != nil, "\(device)", sourceLocation: sourceLocation)
        }
    }
}
