import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Devices: registration")
struct DeviceRegistrationTests: DeviceTestSupport {
    @Test("registering answers 201 with the Device: Offline, active, the owner as user and the posture exactly as given")
    func registerAnswersTheDevice() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "jane@a.example")
            let reply = try await Self.register(
                world, user: user, name: "Jane's MacBook", hardwareId: "HW-0001", appVersion: "1.4.2", posture: Self.richPosture)
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
}
