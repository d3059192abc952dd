import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Devices: tenants and keys")
struct DeviceAccessTests: DeviceTestSupport {
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
