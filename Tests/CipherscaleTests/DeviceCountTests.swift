import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

/// The device status filters' totals come from counters (009_device_counts) and the online range;
/// they must match the devices the list shows, whatever changed them.
@Suite("Device status counts")
struct DeviceCountTests: DeviceTestSupport {
    /// Each status's total is the number of devices listed with that status, in both tenants.
    func expectExact(_ world: TestWorld, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for key in [world.a.adminKey, world.b.adminKey] {
            let all = Self.data(try await Self.list(world, "limit=100", auth: .key(key)))
            for status in DeviceStatus.allCases.map(\.rawValue) {
                let page = try await Self.list(world, "filter[status]=\(status)&limit=100", auth: .key(key))
                let listed = all.filter { $0["status"] as? String == status }.count
                #expect(page.object["total"] as? Int == listed, "\(status)", sourceLocation: sourceLocation)
                #expect(Self.data(page).count == listed, "\(status)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("registering, heartbeats, (de)activation, a deactivated owner and deletions keep the totals exact")
    func countersFollowEveryChange() async throws {
        try await withWorld { world in
            try await expectExact(world)
            let users = try await Self.activeUsers(world, ["d1@example.com", "d2@example.com"])
            var devices: [String] = []
            for (index, hardware) in ["HW-1", "HW-2", "HW-3", "HW-4"].enumerated() {
                devices.append(try await Self.device(world, user: users[index % 2], hardwareId: hardware))
            }
            _ = try await Self.device(
                world, user: try await Self.activeUser(world, "b@example.com", key: world.b.adminKey), hardwareId: "HW-B", key: world.b.adminKey)
            try await expectExact(world)
            _ = try await world.request(.post, "/tenants/devices/\(devices[0])/heartbeat", json: [String: Any]())
            _ = try await world.request(.post, "/tenants/devices/\(devices[1])/heartbeat", json: [String: Any]())
            try await expectExact(world)
            #expect(try await world.request(.patch, "/tenants/devices/\(devices[1])/deactivate").status == .ok)
            #expect(try await world.request(.patch, "/tenants/devices/\(devices[2])/deactivate").status == .ok)
            #expect(try await world.request(.post, "/tenants/devices/\(devices[2])/reactivate").status.kind == .successful)
            try await expectExact(world)
            world.clock.advance(by: 10 * 60 * 1000)
            try await expectExact(world)
            // Deactivating a user deactivates their devices; deleting a device removes it.
            #expect(try await world.request(.patch, "/tenants/users/\(users[1])/deactivate").status == .ok)
            #expect(try await world.request(.delete, "/tenants/devices/\(devices[0])").status == .noContent)
            try await expectExact(world)
        }
    }
}
