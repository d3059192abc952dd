import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Devices: heartbeat and status")
struct DeviceHeartbeatTests: DeviceTestSupport {
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
            #expect(abs(world.clock.now() - firstMillis) < 60_000)
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

            // Six minutes pass after the heartbeat.
            let stale = try #require((beat.object["lastConnection"] as? String).flatMap(Timestamps.parse))
            world.clock.advance(by: 6 * 60 * 1000)
            let offline = try await world.request(.get, "/tenants/devices/\(id)")
            #expect(offline.object["status"] as? String == "Offline", "\(offline.text)")
            #expect(offline.object["active"] as? Bool == true)
            #expect(offline.object["lastConnection"] as? String == Timestamps.format(stale))
            #expect(try await Self.ids(Self.list(world, "filter[status]=Offline")) == [id])
            #expect(try await Self.list(world, "filter[status]=Online").object["total"] as? Int == 0)
            let owner = try await world.request(.get, "/tenants/users/\(user)")
            #expect((owner.object["devices"] as? [[String: Any]])?.first?["status"] as? String == "Offline")

            // Four minutes after another heartbeat.
            let again = try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: [String: Any]())
            let recent = try #require((again.object["lastConnection"] as? String).flatMap(Timestamps.parse))
            world.clock.advance(by: 4 * 60 * 1000)
            let online = try await world.request(.get, "/tenants/devices/\(id)")
            #expect(online.object["status"] as? String == "Online", "\(online.text)")
            #expect(try await Self.ids(Self.list(world, "filter[status]=Online")) == [id])
            #expect(try await Self.list(world, "filter[status]=Offline").object["total"] as? Int == 0)

            world.clock.advance(by: 2 * 60 * 1000)
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
}
