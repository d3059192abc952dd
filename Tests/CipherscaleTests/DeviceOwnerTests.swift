import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Devices: users and their devices")
struct DeviceOwnerTests: DeviceTestSupport {
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
}
