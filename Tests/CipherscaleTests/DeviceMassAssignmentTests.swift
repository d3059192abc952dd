import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("Mass assignment: devices")
struct DeviceMassAssignmentTests: MassAssignmentTestSupport {
    @Test(
        "registering a device with id, status, active false, lastConnection, createdAt, tenant and another owner makes an active, Offline device of the named user"
    )
    func registerDevice() async throws {
        try await withWorld { world in
            let user = try await world.createUsers(["device@example.com"])[0]
            let since = world.clock.now()
            let extra = Self.forbidden(world, status: "Deactivated").merging([
                "active": false, "lastConnection": Self.ancient, "user": ["id": world.a.ownerId],
            ]) { $1 }
            let body = Self.with(["userId": user, "name": "Laptop", "hardwareId": "HW-MASS-1", "appVersion": "1.0.0"], extra)
            let reply = try await world.request(.post, "/tenants/devices", json: body)
            if Self.accepted(reply, .created, "register") {
                let device = reply.object
                let id = try #require(device["id"] as? String)
                #expect(id != Self.foreignId && Identifiers.canonical(id) == id)
                Self.expectRecent(device["createdAt"], since: since, "device createdAt")
                #expect(device["active"] as? Bool == true)
                #expect(device["status"] as? String == "Offline")
                #expect(device["lastConnection"] == nil)
                #expect((device["user"] as? [String: Any])?["id"] as? String == user)
                let read = try await world.request(.get, "/tenants/devices/\(id)").object
                #expect(read["createdAt"] as? String == device["createdAt"] as? String)
                #expect(read["active"] as? Bool == true)
                #expect(read["status"] as? String == "Offline")
                #expect((read["user"] as? [String: Any])?["id"] as? String == user)
                try await Self.expectOnlyInTenantA(world, "/tenants/devices/\(id)")
                let owner = try await world.request(.get, "/tenants/users/\(world.a.ownerId)").object
                #expect((owner["devices"] as? [Any])?.isEmpty == true)
            } else {
                #expect(try await world.request(.get, "/tenants/devices?limit=0").object["total"] as? Int == 0)
            }
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test(
        "a heartbeat with id, status, active false, lastConnection, createdAt, tenant, hardwareId, name and owner only records the connection and appVersion"
    )
    func heartbeat() async throws {
        try await withWorld { world in
            let user = try await world.createUsers(["beat@example.com"])[0]
            let registered = try await world.request(
                .post, "/tenants/devices", json: ["userId": user, "name": "Laptop", "hardwareId": "HW-BEAT", "appVersion": "1.0.0"])
            #expect(registered.status == .created, "\(registered.text)")
            let id = try #require(registered.object["id"] as? String)
            let since = world.clock.now()
            let extra = Self.forbidden(world, status: "Deactivated").merging([
                "active": false, "lastConnection": Self.ancient, "hardwareId": "HW-OTHER", "name": "Renamed",
                "userId": world.a.ownerId, "user": ["id": world.a.ownerId],
            ]) { $1 }
            let reply = try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: Self.with(["appVersion": "1.1.0"], extra))
            let applied = Self.accepted(reply, .ok, "heartbeat")
            if applied {
                let device = reply.object
                #expect(device["id"] as? String == id)
                #expect(device["status"] as? String == "Online")
                #expect(device["active"] as? Bool == true)
                Self.expectRecent(device["lastConnection"], since: since, "lastConnection")
                #expect(device["appVersion"] as? String == "1.1.0")
            }
            let read = try await world.request(.get, "/tenants/devices/\(id)").object
            #expect(read["id"] as? String == id)
            #expect(read["createdAt"] as? String == registered.object["createdAt"] as? String)
            #expect(read["active"] as? Bool == true)
            #expect(read["status"] as? String == (applied ? "Online" : "Offline"))
            #expect(read["hardwareId"] as? String == "HW-BEAT")
            #expect(read["name"] as? String == "Laptop")
            #expect((read["user"] as? [String: Any])?["id"] as? String == user)
            if applied {
                Self.expectRecent(read["lastConnection"], since: since, "lastConnection read back")
            } else {
                #expect(read["lastConnection"] == nil)
            }
            try await Self.expectOnlyInTenantA(world, "/tenants/devices/\(id)")
            try await Self.expectTenantBUntouched(world)
        }
    }
}
