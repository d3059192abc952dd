import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Devices")
struct DevicesTests {
    static let unknownId = "550e8400-e29b-41d4-a716-446655440000"

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

    // MARK: - Helpers

    /// Canonical text of parsed JSON, so two values compare equal when their JSON is equal.
    static func canonical(_ json: Any?) -> String {
        guard let json, let data = try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .fragmentsAllowed]) else {
            return "<no JSON>"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Percent-encodes a query value (timestamps carry `:` and `+`).
    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    /// Creates users in tenant A (or with `key`) who accepted their invitation, with first and last names.
    static func activeUsers(_ world: TestWorld, _ emails: [String], groups: [String] = [], key: String? = nil) async throws -> [String] {
        let ids = try await world.createUsers(emails, groups: groups, key: key)
        for (index, id) in ids.enumerated() {
            let put = try await world.request(.put, "/tenants/users/\(id)", auth: .key(key ?? world.a.adminKey), json: ["firstName": "First\(index)", "lastName": "Last\(index)"])
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
        let reply = try await register(world, user: user, name: name, hardwareId: hardwareId, appVersion: appVersion, posture: posture, auth: .key(key ?? world.a.adminKey))
        #expect(reply.status == .created, "\(reply.text)", sourceLocation: sourceLocation)
        return try #require(reply.object["id"] as? String, sourceLocation: sourceLocation)
    }

    /// Creates a group in tenant A with a device cap.
    static func limitedGroup(_ world: TestWorld, _ name: String, maxDevices: Int) async throws -> String {
        let reply = try await world.request(.post, "/tenants/groups", json: ["name": name, "roles": [String](), "maxDevices": maxDevices])
        #expect(reply.status == .created, "\(reply.text)")
        #expect(reply.object["maxDevices"] as? Int == maxDevices)
        return try #require(reply.object["id"] as? String)
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
    static func list(_ world: TestWorld, _ query: String, auth: Auth = .adminA, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
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

    // MARK: - Registration

    @Test("registering answers 201 with the Device: Offline, active, the owner as user and the posture exactly as given")
    func registerAnswersTheDevice() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "jane@a.example")
            let reply = try await Self.register(world, user: user, name: "Jane's MacBook", hardwareId: "HW-0001", appVersion: "1.4.2", posture: Self.richPosture)
            #expect(reply.status == .created, "\(reply.text)")
            #expect(reply.contentType?.hasPrefix("application/json") == true)
            let device = reply.object
            Self.expectDeviceShape(device)
            #expect(device["name"] as? String == "Jane's MacBook")
            #expect(device["hardwareId"] as? String == "HW-0001")
            #expect(device["appVersion"] as? String == "1.4.2")
            #expect(device["active"] as? Bool == true)
            #expect(device["status"] as? String == "Offline")
            #expect(device["lastConnection"] == nil)
            #expect(Self.canonical(device["posture"]) == Self.canonical(Self.richPosture))
            let owner = try #require(device["user"] as? [String: Any])
            #expect(owner["id"] as? String == user)
            #expect(owner["email"] as? String == "jane@a.example")
            #expect(owner["firstName"] as? String == "First0")
            #expect(owner["lastName"] as? String == "Last0")
            #expect(owner["lastConnection"] == nil)

            // Reading it back gives the same answer.
            let id = try #require(device["id"] as? String)
            let read = try await world.request(.get, "/tenants/devices/\(id)")
            #expect(read.status == .ok)
            #expect(Self.canonical(read.json) == Self.canonical(reply.json))

            // Posture is optional.
            let bare = try await Self.register(world, user: user, name: "Phone", hardwareId: "HW-0002", appVersion: "1.0.0")
            #expect(bare.status == .created, "\(bare.text)")
            #expect(bare.object["status"] as? String == "Offline")
            #expect(bare.object["name"] as? String == "Phone")
            #expect(try await Self.list(world, "").object["total"] as? Int == 2)
        }
    }

    @Test("missing, mistyped or oversized registration fields are 400 and register nothing")
    func registrationValidation() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "val@a.example")
            let valid: [String: Any] = ["userId": user, "name": "Laptop", "hardwareId": "HW-V", "appVersion": "1.0.0"]
            var bodies: [(String, [String: Any])] = []
            for field in ["userId", "name", "hardwareId", "appVersion"] {
                var body = valid
                body[field] = nil
                bodies.append(("missing \(field)", body))
            }
            func with(_ key: String, _ value: Any) -> [String: Any] {
                var body = valid
                body[key] = value
                return body
            }
            bodies += [
                ("malformed userId", with("userId", "not-a-uuid")),
                ("numeric userId", with("userId", 42)),
                ("numeric name", with("name", 7)),
                ("empty name", with("name", "")),
                ("empty hardwareId", with("hardwareId", "")),
                ("name over 200", with("name", String(repeating: "n", count: 201))),
                ("hardwareId over 200", with("hardwareId", String(repeating: "h", count: 201))),
                ("appVersion over 100", with("appVersion", String(repeating: "1", count: 101))),
                ("posture is a string", with("posture", "compliant")),
                ("posture is an array", with("posture", [["compliant": true]])),
                ("posture is a number", with("posture", 1)),
                ("posture over 16 KiB", with("posture", ["blob": String(repeating: "x", count: 17 * 1024)])),
            ]
            for (label, body) in bodies {
                let reply = try await world.request(.post, "/tenants/devices", json: body)
                #expect(reply.status == .badRequest, "\(label): \(reply.text)")
                reply.expectProblem(.badRequest)
            }
            try await world.request(.post, "/tenants/devices", json: [valid]).expectProblem(.badRequest)
            try await world.request(.post, "/tenants/devices", rawBody: "{\"userId\":").expectProblem(.badRequest)
            #expect(try await Self.list(world, "").object["total"] as? Int == 0)

            // A posture a little under the cap is kept whole.
            let big: [String: Any] = ["blob": String(repeating: "y", count: 15 * 1024)]
            let accepted = try await world.request(.post, "/tenants/devices", json: with("posture", big))
            #expect(accepted.status == .created, "\(accepted.text)")
            #expect(Self.canonical(accepted.object["posture"]) == Self.canonical(big))
        }
    }

    @Test("an unknown user or another tenant's user is 422")
    func unknownUserIs422() async throws {
        try await withWorld { world in
            try await Self.register(world, user: Self.unknownId, hardwareId: "HW-U1").expectProblem(.unprocessableContent)
            let userB = try await Self.activeUser(world, "b-user@b.example", key: world.b.adminKey)
            try await Self.register(world, user: userB, hardwareId: "HW-U2").expectProblem(.unprocessableContent)
            try await Self.register(world, user: world.b.ownerId, hardwareId: "HW-U3").expectProblem(.unprocessableContent)
            #expect(try await Self.list(world, "").object["total"] as? Int == 0)
            #expect(try await Self.list(world, "", auth: .key(world.b.adminKey)).object["total"] as? Int == 0)
        }
    }

    @Test("a hardwareId already registered in the tenant is 409, while another tenant may register the same one")
    func hardwareIdUniquePerTenant() async throws {
        try await withWorld { world in
            let users = try await Self.activeUsers(world, ["one@a.example", "two@a.example"])
            _ = try await Self.device(world, user: users[0], hardwareId: "HW-SHARED")
            try await Self.register(world, user: users[0], name: "Again", hardwareId: "HW-SHARED").expectProblem(.conflict)
            try await Self.register(world, user: users[1], name: "Other", hardwareId: "HW-SHARED").expectProblem(.conflict)
            #expect(try await Self.list(world, "").object["total"] as? Int == 1)

            let userB = try await Self.activeUser(world, "b@b.example", key: world.b.adminKey)
            let inB = try await Self.register(world, user: userB, hardwareId: "HW-SHARED", auth: .key(world.b.adminKey))
            #expect(inB.status == .created, "\(inB.text)")
            #expect((inB.object["user"] as? [String: Any])?["id"] as? String == userB)
        }
    }

    @Test("an inactive user's registration is refused with 403")
    func inactiveUserCannotRegister() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "off@a.example")
            let off = try await world.request(.patch, "/tenants/users/\(user)/deactivate")
            #expect(off.status == .ok)
            try await Self.register(world, user: user, hardwareId: "HW-OFF").expectProblem(.forbidden)
            #expect(try await Self.list(world, "").object["total"] as? Int == 0)
            let again = try await world.request(.get, "/tenants/users/\(user)")
            #expect((again.object["devices"] as? [Any])?.isEmpty == true)
        }
    }

    // MARK: - Device limits

    @Test("the user's own maxDevices caps registrations with 409 and is shown in User answers")
    func userLimit() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "cap@a.example")
            let put = try await world.request(.put, "/tenants/users/\(user)", json: ["maxDevices": 2])
            #expect(put.status == .ok, "\(put.text)")
            #expect(put.object["maxDevices"] as? Int == 2)
            _ = try await Self.device(world, user: user, name: "One", hardwareId: "HW-C1")
            _ = try await Self.device(world, user: user, name: "Two", hardwareId: "HW-C2")
            try await Self.register(world, user: user, name: "Three", hardwareId: "HW-C3").expectProblem(.conflict)
            let read = try await world.request(.get, "/tenants/users/\(user)")
            #expect(read.object["maxDevices"] as? Int == 2)
            #expect((read.object["devices"] as? [[String: Any]])?.count == 2)
            #expect(try await Self.list(world, "filter[user.id]=\(user)").object["total"] as? Int == 2)
            // The hardware id refused by the limit was not taken.
            let other = try await Self.activeUser(world, "other@a.example")
            _ = try await Self.device(world, user: other, hardwareId: "HW-C3")
        }
    }

    @Test("maxDevices 0 allows no device, and a negative or non-integer maxDevices is 400")
    func zeroAndInvalidUserLimit() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "zero@a.example")
            let put = try await world.request(.put, "/tenants/users/\(user)", json: ["maxDevices": 0])
            #expect(put.status == .ok, "\(put.text)")
            #expect(put.object["maxDevices"] as? Int == 0)
            try await Self.register(world, user: user, hardwareId: "HW-Z1").expectProblem(.conflict)
            try await world.request(.put, "/tenants/users/\(user)", json: ["maxDevices": -1]).expectProblem(.badRequest)
            try await world.request(.put, "/tenants/users/\(user)", json: ["maxDevices": "two"]).expectProblem(.badRequest)
            try await world.request(.put, "/tenants/users/\(user)", json: ["maxDevices": 1.5]).expectProblem(.badRequest)
            let read = try await world.request(.get, "/tenants/users/\(user)")
            #expect(read.object["maxDevices"] as? Int == 0)
        }
    }

    @Test("without a limit of their own, a user gets the largest maxDevices among their groups")
    func groupLimit() async throws {
        try await withWorld { world in
            let small = try await Self.limitedGroup(world, "Small", maxDevices: 1)
            let large = try await Self.limitedGroup(world, "Large", maxDevices: 3)
            let user = try await Self.activeUser(world, "grouped@a.example", groups: [small, large])
            for index in 0..<3 { _ = try await Self.device(world, user: user, name: "D\(index)", hardwareId: "HW-G\(index)") }
            try await Self.register(world, user: user, name: "D3", hardwareId: "HW-G3").expectProblem(.conflict)

            // A user who joins a group later is capped by it too.
            let joiner = try await Self.activeUser(world, "joiner@a.example")
            let joined = try await world.request(.post, "/tenants/users/\(joiner)/groups", json: ["groupId": small])
            #expect(joined.status == .created, "\(joined.text)")
            _ = try await Self.device(world, user: joiner, name: "J0", hardwareId: "HW-J0")
            try await Self.register(world, user: joiner, name: "J1", hardwareId: "HW-J1").expectProblem(.conflict)
            #expect(try await Self.list(world, "").object["total"] as? Int == 4)
        }
    }

    @Test("the user's own limit takes precedence over their groups' limit, whether smaller or larger")
    func userLimitBeatsGroupLimit() async throws {
        try await withWorld { world in
            let group = try await Self.limitedGroup(world, "Two", maxDevices: 2)
            let users = try await Self.activeUsers(world, ["tight@a.example", "loose@a.example"], groups: [group])
            #expect(try await world.request(.put, "/tenants/users/\(users[0])", json: ["maxDevices": 1]).status == .ok)
            #expect(try await world.request(.put, "/tenants/users/\(users[1])", json: ["maxDevices": 4]).status == .ok)
            _ = try await Self.device(world, user: users[0], hardwareId: "HW-T0")
            try await Self.register(world, user: users[0], hardwareId: "HW-T1").expectProblem(.conflict)
            for index in 0..<4 { _ = try await Self.device(world, user: users[1], hardwareId: "HW-L\(index)") }
            try await Self.register(world, user: users[1], hardwareId: "HW-L4").expectProblem(.conflict)
        }
    }

    @Test("with no limit on the user or any of their groups, registrations are unlimited")
    func noLimit() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Plain")
            let user = try await Self.activeUser(world, "free@a.example", groups: [group])
            for index in 0..<6 { _ = try await Self.device(world, user: user, name: "Free \(index)", hardwareId: "HW-F\(index)") }
            let read = try await world.request(.get, "/tenants/users/\(user)")
            #expect(read.object.keys.contains("maxDevices") && read.object["maxDevices"] is NSNull)
            #expect((read.object["devices"] as? [Any])?.count == 6)
        }
    }

    @Test("PUT maxDevices null removes the user's limit so the group limit applies again; a PUT without it leaves it unchanged")
    func clearingTheUserLimit() async throws {
        try await withWorld { world in
            let group = try await Self.limitedGroup(world, "Pair", maxDevices: 2)
            let user = try await Self.activeUser(world, "clear@a.example", groups: [group])
            let set = try await world.request(.put, "/tenants/users/\(user)", json: ["maxDevices": 1])
            #expect(set.object["maxDevices"] as? Int == 1)
            _ = try await Self.device(world, user: user, hardwareId: "HW-P0")
            try await Self.register(world, user: user, hardwareId: "HW-P1").expectProblem(.conflict)

            let rename = try await world.request(.put, "/tenants/users/\(user)", json: ["firstName": "Renamed"])
            #expect(rename.status == .ok)
            #expect(rename.object["firstName"] as? String == "Renamed")
            #expect(rename.object["maxDevices"] as? Int == 1)
            try await Self.register(world, user: user, hardwareId: "HW-P1").expectProblem(.conflict)

            let cleared = try await world.request(.put, "/tenants/users/\(user)", json: ["maxDevices": NSNull()])
            #expect(cleared.status == .ok, "\(cleared.text)")
            #expect(cleared.object.keys.contains("maxDevices") && cleared.object["maxDevices"] is NSNull, "\(cleared.text)")
            #expect(cleared.object["firstName"] as? String == "Renamed")
            _ = try await Self.device(world, user: user, hardwareId: "HW-P1")
            try await Self.register(world, user: user, hardwareId: "HW-P2").expectProblem(.conflict)
        }
    }

    @Test("deactivated devices still count toward the limit and deleting a device frees its slot")
    func deactivatedCountDeletedFree() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "slots@a.example")
            _ = try await world.request(.put, "/tenants/users/\(user)", json: ["maxDevices": 2])
            let first = try await Self.device(world, user: user, hardwareId: "HW-S0")
            _ = try await Self.device(world, user: user, hardwareId: "HW-S1")
            let off = try await world.request(.patch, "/tenants/devices/\(first)/deactivate")
            #expect(off.status == .ok)
            try await Self.register(world, user: user, hardwareId: "HW-S2").expectProblem(.conflict)
            let deleted = try await world.request(.delete, "/tenants/devices/\(first)")
            #expect(deleted.status == .noContent)
            let third = try await Self.register(world, user: user, hardwareId: "HW-S2")
            #expect(third.status == .created, "\(third.text)")
            try await Self.register(world, user: user, hardwareId: "HW-S3").expectProblem(.conflict)
        }
    }

    @Test("20 parallel registrations against a limit of 3 leave exactly 3 devices, for a user limit and a group limit")
    func concurrentRegistrationsRespectTheLimit() async throws {
        try await withWorld { world in
            let group = try await Self.limitedGroup(world, "Three", maxDevices: 3)
            let own = try await Self.activeUser(world, "race@a.example")
            _ = try await world.request(.put, "/tenants/users/\(own)", json: ["maxDevices": 3])
            let grouped = try await Self.activeUser(world, "race-group@a.example", groups: [group])
            for (label, user) in [("user limit", own), ("group limit", grouped)] {
                let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String).self) { tasks in
                    for index in 0..<20 {
                        tasks.addTask {
                            let reply = try await Self.register(world, user: user, name: "Racer \(index)", hardwareId: "HW-\(label)-\(index)")
                            return (reply.status, reply.text)
                        }
                    }
                    var all: [(HTTPResponse.Status, String)] = []
                    for try await result in tasks { all.append(result) }
                    return all
                }
                let created = statuses.filter { $0.0 == .created }.count
                let conflicts = statuses.filter { $0.0 == .conflict }.count
                #expect(created == 3, "\(label): \(statuses.map { "\($0.0.code)" })")
                #expect(conflicts == 17, "\(label): \(statuses.filter { $0.0 != .created && $0.0 != .conflict }.map(\.1))")
                let listed = try await Self.list(world, "filter[user.id]=\(user)&limit=100")
                #expect(listed.object["total"] as? Int == 3, "\(label)")
                #expect(Self.data(listed).count == 3, "\(label)")
            }
        }
    }

    // MARK: - Heartbeat and status

    @Test("a heartbeat answers 200 Online with lastConnection, updates appVersion and posture only when given, and sets the user's lastConnection")
    func heartbeat() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "beat@a.example")
            let id = try await Self.device(world, user: user, hardwareId: "HW-B", appVersion: "1.0.0", posture: Self.richPosture)

            let bare = try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: [String: Any]())
            #expect(bare.status == .ok, "\(bare.text)")
            Self.expectDeviceShape(bare.object)
            #expect(bare.object["status"] as? String == "Online")
            #expect(bare.object["active"] as? Bool == true)
            let first = try #require(bare.object["lastConnection"] as? String)
            let firstMillis = try #require(Timestamps.parse(first))
            #expect(abs(Timestamps.now() - firstMillis) < 60_000)
            #expect(bare.object["appVersion"] as? String == "1.0.0")
            #expect(Self.canonical(bare.object["posture"]) == Self.canonical(Self.richPosture))
            #expect((bare.object["user"] as? [String: Any])?["lastConnection"] as? String == first)

            let owner = try await world.request(.get, "/tenants/users/\(user)")
            #expect(owner.object["lastConnection"] as? String == first)
            let embedded = (owner.object["devices"] as? [[String: Any]] ?? []).first { $0["id"] as? String == id }
            #expect(embedded?["status"] as? String == "Online")
            #expect(embedded?["lastConnection"] as? String == first)

            let upgraded = try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: ["appVersion": "2.0.0"])
            #expect(upgraded.status == .ok, "\(upgraded.text)")
            #expect(upgraded.object["appVersion"] as? String == "2.0.0")
            #expect(Self.canonical(upgraded.object["posture"]) == Self.canonical(Self.richPosture))
            let second = try #require((upgraded.object["lastConnection"] as? String).flatMap(Timestamps.parse))
            #expect(second >= firstMillis)

            let newPosture: [String: Any] = ["compliant": false, "issues": ["antivirus-off"], "score": 12]
            let reposture = try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: ["posture": newPosture])
            #expect(reposture.status == .ok, "\(reposture.text)")
            #expect(reposture.object["appVersion"] as? String == "2.0.0")
            #expect(Self.canonical(reposture.object["posture"]) == Self.canonical(newPosture))

            let last = try #require(reposture.object["lastConnection"] as? String)
            let read = try await world.request(.get, "/tenants/devices/\(id)")
            #expect(read.object["status"] as? String == "Online")
            #expect(read.object["lastConnection"] as? String == last)
            #expect(Self.canonical(read.object["posture"]) == Self.canonical(newPosture))
            let ownerAfter = try await world.request(.get, "/tenants/users/\(user)")
            #expect(ownerAfter.object["lastConnection"] as? String == last)

            // The body is optional: a heartbeat without one only records the connection.
            let bodiless = try await world.request(.post, "/tenants/devices/\(id)/heartbeat")
            #expect(bodiless.status == .ok, "heartbeat without a body: \(bodiless.text)")
            #expect(bodiless.object["status"] as? String == "Online")
            #expect(bodiless.object["appVersion"] as? String == "2.0.0")
            #expect(Self.canonical(bodiless.object["posture"]) == Self.canonical(newPosture))
            #expect((bodiless.object["lastConnection"] as? String).flatMap(Timestamps.parse) ?? 0 >= Timestamps.parse(last) ?? .max)
        }
    }

    @Test("an invalid heartbeat body is 400 and changes nothing")
    func heartbeatValidation() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "badbeat@a.example")
            let id = try await Self.device(world, user: user, hardwareId: "HW-BB", appVersion: "1.0.0", posture: ["ok": true])
            let bodies: [(String, Any)] = [
                ("posture not an object", ["posture": "fine"]),
                ("posture an array", ["posture": [1, 2]]),
                ("posture over 16 KiB", ["posture": ["blob": String(repeating: "z", count: 17 * 1024)]]),
                ("numeric appVersion", ["appVersion": 2]),
                ("appVersion over 100", ["appVersion": String(repeating: "9", count: 101)]),
                ("array body", [["appVersion": "3.0.0"]]),
            ]
            for (label, body) in bodies {
                let reply = try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: body)
                #expect(reply.status == .badRequest, "\(label): \(reply.text)")
                reply.expectProblem(.badRequest)
            }
            let read = try await world.request(.get, "/tenants/devices/\(id)")
            #expect(read.object["appVersion"] as? String == "1.0.0")
            #expect(Self.canonical(read.object["posture"]) == Self.canonical(["ok": true]))
            #expect(read.object["status"] as? String == "Offline")
            #expect(read.object["lastConnection"] == nil)
        }
    }

    @Test("status is Offline once the last heartbeat is older than 5 minutes and Online within them, in answers and filters alike")
    func statusFollowsTheOnlineWindow() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "window@a.example")
            let id = try await Self.device(world, user: user, hardwareId: "HW-W")
            let beat = try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: [String: Any]())
            #expect(beat.object["status"] as? String == "Online")

            let stale = Timestamps.now() - 6 * 60 * 1000
            try await Self.setLastConnection(world, id, stale)
            let offline = try await world.request(.get, "/tenants/devices/\(id)")
            #expect(offline.object["status"] as? String == "Offline", "\(offline.text)")
            #expect(offline.object["active"] as? Bool == true)
            #expect(offline.object["lastConnection"] as? String == Timestamps.format(stale))
            #expect(try await Self.ids(Self.list(world, "filter[status]=Offline")) == [id])
            #expect(try await Self.list(world, "filter[status]=Online").object["total"] as? Int == 0)
            let owner = try await world.request(.get, "/tenants/users/\(user)")
            #expect((owner.object["devices"] as? [[String: Any]])?.first?["status"] as? String == "Offline")

            let recent = Timestamps.now() - 4 * 60 * 1000
            try await Self.setLastConnection(world, id, recent)
            let online = try await world.request(.get, "/tenants/devices/\(id)")
            #expect(online.object["status"] as? String == "Online", "\(online.text)")
            #expect(try await Self.ids(Self.list(world, "filter[status]=Online")) == [id])
            #expect(try await Self.list(world, "filter[status]=Offline").object["total"] as? Int == 0)

            try await Self.setLastConnection(world, id, stale)
            let back = try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: [String: Any]())
            #expect(back.object["status"] as? String == "Online")
            let renewed = try #require((back.object["lastConnection"] as? String).flatMap(Timestamps.parse))
            #expect(renewed > recent)
        }
    }

    @Test("a deactivated device's heartbeat is 409 and changes nothing")
    func deactivatedHeartbeatConflicts() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "deadbeat@a.example")
            let id = try await Self.device(world, user: user, hardwareId: "HW-DB", appVersion: "1.0.0")
            _ = try await world.request(.patch, "/tenants/devices/\(id)/deactivate")
            try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: ["appVersion": "9.9.9"]).expectProblem(.conflict)
            try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: [String: Any]()).expectProblem(.conflict)
            let read = try await world.request(.get, "/tenants/devices/\(id)")
            #expect(read.object["appVersion"] as? String == "1.0.0")
            #expect(read.object["lastConnection"] == nil)
            #expect(read.object["status"] as? String == "Deactivated")
            let owner = try await world.request(.get, "/tenants/users/\(user)")
            #expect(owner.object["lastConnection"] == nil)
        }
    }

    // MARK: - Single device operations

    @Test("GET one device is 200; an unknown id is 404 and a malformed id is 400 on every device route")
    func getOneDevice() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "get@a.example")
            let id = try await Self.device(world, user: user, name: "Desk", hardwareId: "HW-GET")
            let read = try await world.request(.get, "/tenants/devices/\(id)")
            #expect(read.status == .ok)
            #expect(read.object["id"] as? String == id)
            #expect(read.object["name"] as? String == "Desk")
            #expect((read.object["user"] as? [String: Any])?["id"] as? String == user)
            let routes: [(HTTPRequest.Method, String)] = [
                (.get, ""), (.delete, ""), (.patch, "/deactivate"), (.post, "/reactivate"), (.post, "/heartbeat"),
            ]
            for (method, suffix) in routes {
                let body: Any? = suffix == "/heartbeat" ? [String: Any]() : nil
                try await world.request(method, "/tenants/devices/\(Self.unknownId)\(suffix)", json: body).expectProblem(.notFound)
                try await world.request(method, "/tenants/devices/not-a-uuid\(suffix)", json: body).expectProblem(.badRequest)
            }
            #expect(try await Self.list(world, "").object["total"] as? Int == 1)
        }
    }

    @Test("DELETE answers 204, the device is gone from reads, lists and its user, and a second DELETE is 404")
    func deleteDevice() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "del@a.example")
            let keep = try await Self.device(world, user: user, name: "Keep", hardwareId: "HW-KEEP")
            let gone = try await Self.device(world, user: user, name: "Gone", hardwareId: "HW-GONE")
            let reply = try await world.request(.delete, "/tenants/devices/\(gone)")
            #expect(reply.status == .noContent)
            #expect(reply.text.isEmpty)
            try await world.request(.get, "/tenants/devices/\(gone)").expectProblem(.notFound)
            try await world.request(.delete, "/tenants/devices/\(gone)").expectProblem(.notFound)
            #expect(try await Self.ids(Self.list(world, "")) == [keep])
            let owner = try await world.request(.get, "/tenants/users/\(user)")
            #expect((owner.object["devices"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == [keep])
        }
    }

    @Test("deactivate answers 200 Deactivated and is idempotent; reactivate answers 201 and is 409 for an active device")
    func deactivateAndReactivate() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "toggle@a.example")
            let id = try await Self.device(world, user: user, hardwareId: "HW-TOG", posture: ["compliant": true])
            try await world.request(.post, "/tenants/devices/\(id)/reactivate").expectProblem(.conflict)
            _ = try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: [String: Any]())

            let off = try await world.request(.patch, "/tenants/devices/\(id)/deactivate")
            #expect(off.status == .ok, "\(off.text)")
            Self.expectDeviceShape(off.object)
            #expect(off.object["active"] as? Bool == false)
            #expect(off.object["status"] as? String == "Deactivated")
            #expect((off.object["user"] as? [String: Any])?["id"] as? String == user)
            #expect(Self.canonical(off.object["posture"]) == Self.canonical(["compliant": true]))
            let again = try await world.request(.patch, "/tenants/devices/\(id)/deactivate")
            #expect(again.status == .ok)
            #expect(again.object["active"] as? Bool == false && again.object["status"] as? String == "Deactivated")
            let read = try await world.request(.get, "/tenants/devices/\(id)")
            #expect(read.object["status"] as? String == "Deactivated")
            #expect(try await Self.ids(Self.list(world, "filter[status]=Deactivated")) == [id])
            #expect(try await Self.list(world, "filter[status]=Online").object["total"] as? Int == 0)

            let on = try await world.request(.post, "/tenants/devices/\(id)/reactivate")
            #expect(on.status == .created, "\(on.text)")
            Self.expectDeviceShape(on.object)
            #expect(on.object["active"] as? Bool == true)
            // The heartbeat a moment ago is within the window.
            #expect(on.object["status"] as? String == "Online")
            try await world.request(.post, "/tenants/devices/\(id)/reactivate").expectProblem(.conflict)
            let beat = try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: [String: Any]())
            #expect(beat.status == .ok)

            // A never-connected device comes back Offline.
            let quiet = try await Self.device(world, user: user, hardwareId: "HW-QUIET")
            _ = try await world.request(.patch, "/tenants/devices/\(quiet)/deactivate")
            let back = try await world.request(.post, "/tenants/devices/\(quiet)/reactivate")
            #expect(back.status == .created)
            #expect(back.object["status"] as? String == "Offline")
        }
    }

    // MARK: - Listing

    @Test("the device list pages with limit and offset (or page[...]) and reports total, page, hasNext and hasPrevious")
    func paging() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "pager@a.example")
            var created: [String] = []
            for index in 0..<7 { created.append(try await Self.device(world, user: user, name: "Page \(index)", hardwareId: "HW-PG\(index)")) }

            let first = try await Self.list(world, "")
            #expect(first.object["total"] as? Int == 7)
            #expect(first.object["limit"] as? Int == 10)
            #expect(first.object["page"] as? Int == 0)
            #expect(first.object["hasNext"] as? Bool == false)
            #expect(first.object["hasPrevious"] as? Bool == false)
            #expect(Set(Self.ids(first)) == Set(created))
            for device in Self.data(first) { Self.expectDeviceShape(device) }

            var seen: [String] = []
            for offset in stride(from: 0, to: 7, by: 3) {
                let page = try await Self.list(world, "limit=3&offset=\(offset)")
                #expect(page.object["total"] as? Int == 7)
                #expect(page.object["limit"] as? Int == 3)
                #expect(page.object["page"] as? Int == offset / 3)
                #expect(page.object["hasPrevious"] as? Bool == (offset > 0))
                #expect(page.object["hasNext"] as? Bool == (offset + 3 < 7))
                seen += Self.ids(page)
            }
            #expect(seen == Self.ids(first))
            let aliased = try await Self.list(world, "page[limit]=3&page[offset]=3")
            #expect(Self.ids(aliased) == Array(seen[3..<6]))
            #expect(aliased.object["page"] as? Int == 1)
            #expect(try await Self.list(world, "limit=500").object["limit"] as? Int == 100)
            for bad in ["limit=-1", "limit=abc", "offset=-3", "offset=2.5"] {
                try await world.request(.get, "/tenants/devices?\(bad)").expectProblem(.badRequest)
            }
            try await world.request(.get, "/tenants/devices", auth: .none).expectProblem(.unauthorized)
        }
    }

    @Test("sort orders by name, status, createdAt, updatedAt and lastConnection in both directions; unknown sorts are 400")
    func sorting() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "sorter@a.example")
            let names = ["Device C", "Device A", "Device D", "Device B"]
            var ids: [String] = []
            for (index, name) in names.enumerated() { ids.append(try await Self.device(world, user: user, name: name, hardwareId: "HW-SO\(index)")) }
            // Distinct stored times: createdAt in reverse registration order, updatedAt in another order,
            // and heartbeats 10, 1 and 5 minutes ago for the first three devices (the last never connected).
            let now = Timestamps.now()
            let created: [Millis] = [now - 4000, now - 5000, now - 6000, now - 7000]
            let updated: [Millis] = [now - 300, now - 100, now - 400, now - 200]
            let connected: [Millis?] = [now - 600_000, now - 60_000, now - 300_000 + 30_000, nil]
            try await world.pool.transaction { db in
                for index in 0..<4 {
                    try await db.raw("UPDATE devices SET created_at = \(bind: created[index]), updated_at = \(bind: updated[index]), last_connection = \(bind: connected[index]) WHERE id = \(bind: ids[index])").run()
                }
            }
            func order(_ sort: String) async throws -> [String] { Self.ids(try await Self.list(world, "sort=\(sort)&limit=100")) }

            #expect(try await order("name") == [ids[1], ids[3], ids[0], ids[2]])
            #expect(try await order("name:asc") == [ids[1], ids[3], ids[0], ids[2]])
            #expect(try await order("-name") == [ids[2], ids[0], ids[3], ids[1]])
            #expect(try await order("name:desc") == [ids[2], ids[0], ids[3], ids[1]])
            #expect(try await order("createdAt") == [ids[3], ids[2], ids[1], ids[0]])
            #expect(Self.ids(try await Self.list(world, "limit=100")) == [ids[3], ids[2], ids[1], ids[0]])
            #expect(try await order("-createdAt") == [ids[0], ids[1], ids[2], ids[3]])
            #expect(try await order("updatedAt") == [ids[2], ids[0], ids[3], ids[1]])
            #expect(try await order("-updatedAt") == [ids[1], ids[3], ids[0], ids[2]])
            // Missing values sort last ascending and first descending.
            #expect(try await order("lastConnection") == [ids[0], ids[2], ids[1], ids[3]])
            #expect(try await order("-lastConnection") == [ids[3], ids[1], ids[2], ids[0]])

            // Status: ids[0] Offline (10 min), ids[1] and ids[2] Online, ids[3] Offline (never); deactivate ids[1].
            _ = try await world.request(.patch, "/tenants/devices/\(ids[1])/deactivate")
            func runs(_ sort: String) async throws -> [String] {
                let statuses = Self.data(try await Self.list(world, "sort=\(sort)&limit=100")).compactMap { $0["status"] as? String }
                #expect(statuses.count == 4)
                var result: [String] = []
                for status in statuses where result.last != status { result.append(status) }
                return result
            }
            let ascending = try await runs("status")
            #expect(ascending.count == 3 && Set(ascending) == ["Online", "Offline", "Deactivated"], "equal statuses are not together: \(ascending)")
            let descending = try await runs("-status")
            #expect(descending == ascending.reversed())
            let byStatusThenName = Self.data(try await Self.list(world, "sort=status,name&limit=100"))
            let offline = byStatusThenName.filter { $0["status"] as? String == "Offline" }.compactMap { $0["id"] as? String }
            #expect(offline == [ids[3], ids[0]])

            for bad in ["posture", "color", "name:up", "user"] {
                try await world.request(.get, "/tenants/devices?sort=\(bad)").expectProblem(.badRequest)
            }
        }
    }

    @Test("filters on id, name, status, active, hardwareId, appVersion, user.id, createdAt and lastConnection narrow the list and the total")
    func filtering() async throws {
        try await withWorld { world in
            let users = try await Self.activeUsers(world, ["f1@a.example", "f2@a.example"])
            let work = try await Self.device(world, user: users[0], name: "Work Laptop", hardwareId: "HW-AAA-001", appVersion: "1.0.0")
            let home = try await Self.device(world, user: users[0], name: "Home Desktop", hardwareId: "HW-BBB-002", appVersion: "1.0.0")
            let phone = try await Self.device(world, user: users[0], name: "Phone", hardwareId: "hw-ccc-003", appVersion: "2.0.0")
            let tablet = try await Self.device(world, user: users[0], name: "Tablet", hardwareId: "HW-DDD-004", appVersion: "2.0.0")
            let old = try await Self.device(world, user: users[1], name: "Old Laptop", hardwareId: "HW-EEE-005", appVersion: "3.1.0")
            for id in [work, home, tablet, old] {
                #expect(try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: [String: Any]()).status == .ok)
            }
            let stale = Timestamps.now() - 10 * 60 * 1000
            try await Self.setLastConnection(world, home, stale)
            // Tablet heartbeated a moment ago but is deactivated: its status is Deactivated, not Online.
            _ = try await world.request(.patch, "/tenants/devices/\(tablet)/deactivate")

            func matches(_ query: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Set<String> {
                let reply = try await Self.list(world, "\(query)&limit=100", sourceLocation: sourceLocation)
                // Device names are unique here, so failures read as names.
                let found = Set(Self.data(reply).compactMap { $0["name"] as? String })
                #expect(reply.object["total"] as? Int == found.count, "\(query)", sourceLocation: sourceLocation)
                return found
            }
            #expect(try await matches("filter[status]=Online") == ["Work Laptop", "Old Laptop"])
            #expect(try await matches("filter[status][eq]=Offline") == ["Home Desktop", "Phone"])
            #expect(try await matches("filter[status]=Deactivated") == ["Tablet"])
            let notOnline = try await matches("filter[status][ne]=Online")
            #expect(notOnline == ["Home Desktop", "Phone", "Tablet"], "never-connected Phone must match: \(notOnline)")
            #expect(try await matches("filter[status][in]=Online,Deactivated") == ["Work Laptop", "Old Laptop", "Tablet"])
            let neitherOnlineNorDeactivated = try await matches("filter[status][nin]=Online,Deactivated")
            #expect(neitherOnlineNorDeactivated == ["Home Desktop", "Phone"], "never-connected Phone must match: \(neitherOnlineNorDeactivated)")
            // Every device either has a status or not: eq and ne split the five devices.
            for status in ["Online", "Offline", "Deactivated"] {
                let equal = try await matches("filter[status]=\(status)")
                let unequal = try await matches("filter[status][ne]=\(status)")
                #expect(equal.union(unequal).count == 5 && equal.isDisjoint(with: unequal), "\(status): \(equal) / \(unequal)")
            }
            for status in ["Online", "Offline", "Deactivated"] {
                let reply = try await Self.list(world, "filter[status]=\(status)&limit=100")
                #expect(Self.data(reply).allSatisfy { $0["status"] as? String == status }, "\(status): \(reply.text)")
            }
            #expect(try await matches("filter[active]=false") == ["Tablet"])
            #expect(try await matches("filter[active]=true") == ["Work Laptop", "Home Desktop", "Phone", "Old Laptop"])
            #expect(try await matches("filter[id]=\(phone)") == ["Phone"])
            #expect(try await matches("filter[id][in]=\(work),\(home)") == ["Work Laptop", "Home Desktop"])
            #expect(try await matches("filter[name]=Phone") == ["Phone"])
            #expect(try await matches("filter[name][ilike]=%25laptop%25") == ["Work Laptop", "Old Laptop"])
            #expect(try await matches("filter[hardwareId]=HW-BBB-002") == ["Home Desktop"])
            #expect(try await matches("filter[appVersion]=2.0.0") == ["Phone", "Tablet"])
            #expect(try await matches("filter[appVersion][ne]=2.0.0") == ["Work Laptop", "Home Desktop", "Old Laptop"])
            #expect(try await matches("filter[user.id]=\(users[1])") == ["Old Laptop"])
            #expect(try await matches("filter[user.id]=\(users[0])&filter[status]=Offline") == ["Home Desktop", "Phone"])

            let phoneStamp = try #require(try await world.request(.get, "/tenants/devices/\(phone)").object["createdAt"] as? String)
            for op in ["eq", "gte", "lte"] {
                #expect(try await matches("filter[createdAt][\(op)]=\(Self.encoded(phoneStamp))&filter[id]=\(phone)") == ["Phone"], "\(op)")
            }
            #expect(try await matches("filter[createdAt][gt]=\(Self.encoded(phoneStamp))&filter[id]=\(phone)").isEmpty)
            #expect(try await matches("filter[createdAt][lt]=2000-01-01T00:00:00Z").isEmpty)
            #expect(try await matches("filter[createdAt][gt]=2000-01-01T00:00:00Z").count == 5)
            let minuteAgo = Self.encoded(Timestamps.format(Timestamps.now() - 60_000))
            #expect(try await matches("filter[lastConnection][gte]=\(minuteAgo)") == ["Work Laptop", "Tablet", "Old Laptop"])
            #expect(try await matches("filter[lastConnection][lt]=\(minuteAgo)") == ["Home Desktop"])
            #expect(try await matches("filter[lastConnection]=\(Self.encoded(Timestamps.format(stale)))") == ["Home Desktop"])

            for bad in [
                "filter[color]=red", "filter[posture]=x", "filter[name][like]=x", "filter[active]=maybe", "filter[createdAt][gt]=soon",
                "filter[lastConnection]=yesterday", "filter[status]=Sleeping", "filter[user.id]=zz", "filter[id]=zz",
            ] {
                try await world.request(.get, "/tenants/devices?\(bad)").expectProblem(.badRequest)
            }
        }
    }

    @Test("search matches a case-insensitive fragment of the name or hardware id and combines with filters")
    func searching() async throws {
        try await withWorld { world in
            let users = try await Self.activeUsers(world, ["s1@a.example", "s2@a.example"])
            let work = try await Self.device(world, user: users[0], name: "Work Laptop", hardwareId: "SN-AAA-001")
            _ = try await Self.device(world, user: users[0], name: "Phone", hardwareId: "sn-bbb-002")
            let old = try await Self.device(world, user: users[1], name: "old LAPTOP", hardwareId: "SN-CCC-003")
            func found(_ text: String) async throws -> Set<String> {
                let reply = try await Self.list(world, "search=\(text)&limit=100")
                #expect(reply.object["total"] as? Int == Self.ids(reply).count)
                return Set(Self.ids(reply))
            }
            #expect(try await found("laptop") == [work, old])
            #expect(try await found("LapTop") == [work, old])
            #expect(try await found("ccc") == [old])
            #expect(try await found("sn-").count == 3)
            #expect(try await found("AAA-0") == [work])
            #expect(try await found("nothing-like-this").isEmpty)
            #expect(try await found("%25").isEmpty)
            #expect(try await found("laptop&filter[user.id]=\(users[0])") == [work])
        }
    }

    // MARK: - Users and their devices

    @Test("deactivating a user deactivates their devices; reactivating the user does not, and the devices stay 409 until the user is back")
    func userDeactivationCascades() async throws {
        try await withWorld { world in
            let users = try await Self.activeUsers(world, ["leaver@a.example", "stayer@a.example"])
            let laptop = try await Self.device(world, user: users[0], name: "Laptop", hardwareId: "HW-LV1")
            let phone = try await Self.device(world, user: users[0], name: "Phone", hardwareId: "HW-LV2")
            let bystander = try await Self.device(world, user: users[1], hardwareId: "HW-ST1")
            _ = try await world.request(.post, "/tenants/devices/\(laptop)/heartbeat", json: [String: Any]())

            let off = try await world.request(.patch, "/tenants/users/\(users[0])/deactivate")
            #expect(off.status == .ok)
            for id in [laptop, phone] {
                let read = try await world.request(.get, "/tenants/devices/\(id)")
                #expect(read.object["active"] as? Bool == false, "\(read.text)")
                #expect(read.object["status"] as? String == "Deactivated")
            }
            let embedded = (off.object["devices"] as? [[String: Any]] ?? [])
            #expect(embedded.count == 2)
            #expect(embedded.allSatisfy { $0["status"] as? String == "Deactivated" && $0["active"] as? Bool == false }, "\(off.text)")
            #expect(try await world.request(.get, "/tenants/devices/\(bystander)").object["active"] as? Bool == true)
            try await world.request(.post, "/tenants/devices/\(laptop)/heartbeat", json: [String: Any]()).expectProblem(.conflict)
            try await world.request(.post, "/tenants/devices/\(laptop)/reactivate").expectProblem(.conflict)
            #expect(try await world.request(.get, "/tenants/devices/\(laptop)").object["active"] as? Bool == false)

            let on = try await world.request(.post, "/tenants/users/\(users[0])/reactivate")
            #expect(on.status == .created)
            #expect(on.object["status"] as? String == "active")
            #expect((on.object["devices"] as? [[String: Any]] ?? []).allSatisfy { $0["status"] as? String == "Deactivated" }, "\(on.text)")
            for id in [laptop, phone] {
                let read = try await world.request(.get, "/tenants/devices/\(id)")
                #expect(read.object["active"] as? Bool == false)
                #expect(read.object["status"] as? String == "Deactivated")
            }
            #expect(try await Self.list(world, "filter[user.id]=\(users[0])&filter[status]=Deactivated").object["total"] as? Int == 2)

            let back = try await world.request(.post, "/tenants/devices/\(laptop)/reactivate")
            #expect(back.status == .created, "\(back.text)")
            #expect(back.object["active"] as? Bool == true)
            #expect(try await world.request(.get, "/tenants/devices/\(phone)").object["status"] as? String == "Deactivated")
        }
    }

    @Test("deleting a user deactivates their devices, which remain without an owner and cannot be reactivated")
    func userDeletionDeactivatesDevices() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "deleted@a.example")
            let id = try await Self.device(world, user: user, name: "Orphan", hardwareId: "HW-ORPHAN", posture: ["compliant": true])
            _ = try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: [String: Any]())
            let deleted = try await world.request(.delete, "/tenants/users/\(user)")
            #expect(deleted.status == .noContent)

            let read = try await world.request(.get, "/tenants/devices/\(id)")
            #expect(read.status == .ok, "\(read.text)")
            Self.expectDeviceShape(read.object)
            #expect(read.object["active"] as? Bool == false)
            #expect(read.object["status"] as? String == "Deactivated")
            #expect(read.object["user"] == nil, "\(read.text)")
            #expect(read.object["name"] as? String == "Orphan")
            #expect(Self.canonical(read.object["posture"]) == Self.canonical(["compliant": true]))
            #expect(try await Self.ids(Self.list(world, "filter[active]=false")) == [id])
            #expect(try await Self.list(world, "filter[user.id]=\(user)").object["total"] as? Int == 0)
            try await world.request(.post, "/tenants/devices/\(id)/reactivate").expectProblem(.conflict)
            try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: [String: Any]()).expectProblem(.conflict)
            #expect(try await world.request(.delete, "/tenants/devices/\(id)").status == .noContent)
        }
    }

    @Test("User answers (one user and the user list) embed the user's devices in the Device shape")
    func usersEmbedDevices() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "embed@a.example")
            let laptop = try await Self.device(world, user: user, name: "Laptop", hardwareId: "HW-E1", appVersion: "1.2.3", posture: Self.richPosture)
            let phone = try await Self.device(world, user: user, name: "Phone", hardwareId: "HW-E2", appVersion: "0.9.0")
            _ = try await world.request(.post, "/tenants/devices/\(laptop)/heartbeat", json: [String: Any]())
            _ = try await world.request(.patch, "/tenants/devices/\(phone)/deactivate")

            let one = try await world.request(.get, "/tenants/users/\(user)")
            let listed = try await world.request(.get, "/tenants/users?filter[id]=\(user)")
            let fromList = try #require((listed.object["data"] as? [[String: Any]])?.first)
            for (label, answer) in [("get", one.object), ("list", fromList)] {
                let devices = try #require(answer["devices"] as? [[String: Any]], "\(label)")
                #expect(Set(devices.compactMap { $0["id"] as? String }) == [laptop, phone], "\(label)")
                for device in devices {
                    Self.expectDeviceShape(device)
                    let id = try #require(device["id"] as? String)
                    let direct = try await world.request(.get, "/tenants/devices/\(id)").object
                    for field in ["id", "name", "hardwareId", "appVersion", "active", "status", "createdAt", "lastConnection", "posture"] {
                        #expect(Self.canonical(device[field]) == Self.canonical(direct[field]), "\(label) \(field)")
                    }
                }
            }
            // Another user lists no devices.
            let empty = try await world.request(.get, "/tenants/users/\(world.a.ownerId)")
            #expect((empty.object["devices"] as? [Any])?.isEmpty == true)
        }
    }

    // MARK: - Tenants and keys

    @Test("another tenant's admin gets 404 for every operation on A's devices, never lists them, and cannot register for A's users")
    func tenantIsolation() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "iso@a.example")
            let id = try await Self.device(world, user: user, name: "Secret Laptop", hardwareId: "HW-ISO", posture: ["compliant": true])
            _ = try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: [String: Any]())
            let before = try await world.request(.get, "/tenants/devices/\(id)")
            let b = Auth.key(world.b.adminKey)

            try await world.request(.get, "/tenants/devices/\(id)", auth: b).expectProblem(.notFound)
            try await world.request(.delete, "/tenants/devices/\(id)", auth: b).expectProblem(.notFound)
            try await world.request(.patch, "/tenants/devices/\(id)/deactivate", auth: b).expectProblem(.notFound)
            try await world.request(.post, "/tenants/devices/\(id)/reactivate", auth: b).expectProblem(.notFound)
            try await world.request(.post, "/tenants/devices/\(id)/heartbeat", auth: b, json: [String: Any]()).expectProblem(.notFound)
            try await world.request(.post, "/tenants/devices/\(id)/heartbeat", auth: b, json: ["appVersion": "6.6.6", "posture": ["pwned": true]])
                .expectProblem(.notFound)
            for query in ["", "filter[id]=\(id)", "search=secret", "filter[user.id]=\(user)", "filter[hardwareId]=HW-ISO"] {
                let listed = try await Self.list(world, query, auth: b)
                #expect(listed.object["total"] as? Int == 0, "\(query)")
                #expect(Self.data(listed).isEmpty, "\(query)")
            }
            try await Self.register(world, user: user, hardwareId: "HW-ISO-B", auth: b).expectProblem(.unprocessableContent)

            let after = try await world.request(.get, "/tenants/devices/\(id)")
            #expect(after.status == .ok)
            #expect(Self.canonical(after.json) == Self.canonical(before.json))

            // A deactivated device is still 404 for B, not 409.
            _ = try await world.request(.patch, "/tenants/devices/\(id)/deactivate")
            try await world.request(.post, "/tenants/devices/\(id)/reactivate", auth: b).expectProblem(.notFound)
            #expect(try await world.request(.get, "/tenants/devices/\(id)").object["active"] as? Bool == false)
            #expect(try await Self.list(world, "", auth: b).object["total"] as? Int == 0)
        }
    }

    @Test("a read-only key reads devices but gets 403 on every device write, which changes nothing")
    func readOnlyKey() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "ro@a.example")
            let active = try await Self.device(world, user: user, name: "Active", hardwareId: "HW-RO1")
            let inactive = try await Self.device(world, user: user, name: "Inactive", hardwareId: "HW-RO2")
            _ = try await world.request(.patch, "/tenants/devices/\(inactive)/deactivate")
            let ro = Auth.key(world.a.readOnlyKey)

            try await Self.register(world, user: user, hardwareId: "HW-RO3", auth: ro).expectProblem(.forbidden)
            try await world.request(.post, "/tenants/devices/\(active)/heartbeat", auth: ro, json: [String: Any]()).expectProblem(.forbidden)
            try await world.request(.patch, "/tenants/devices/\(active)/deactivate", auth: ro).expectProblem(.forbidden)
            try await world.request(.post, "/tenants/devices/\(inactive)/reactivate", auth: ro).expectProblem(.forbidden)
            try await world.request(.delete, "/tenants/devices/\(active)", auth: ro).expectProblem(.forbidden)

            let read = try await world.request(.get, "/tenants/devices/\(active)", auth: ro)
            #expect(read.status == .ok)
            #expect(read.object["active"] as? Bool == true)
            #expect(read.object["lastConnection"] == nil)
            #expect(read.object["status"] as? String == "Offline")
            let listed = try await Self.list(world, "", auth: ro)
            #expect(Set(Self.ids(listed)) == [active, inactive])
            #expect(try await world.request(.get, "/tenants/devices/\(inactive)", auth: ro).object["active"] as? Bool == false)
            try await world.request(.get, "/tenants/devices", auth: .key("not-a-real-key")).expectProblem(.unauthorized)
        }
    }
}
