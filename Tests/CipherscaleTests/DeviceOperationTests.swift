import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Devices: single device operations")
struct DeviceOperationTests: DeviceTestSupport {
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
}
