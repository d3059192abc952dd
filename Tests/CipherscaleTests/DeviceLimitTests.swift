import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Devices: limits")
struct DeviceLimitTests: DeviceTestSupport {
    /// Creates a group in tenant A with a device cap.
    static func limitedGroup(_ world: TestWorld, _ name: String, maxDevices: Int) async throws -> String {
        let reply = try await world.request(.post, "/tenants/groups", json: ["name": name, "roles": [String](), "maxDevices": maxDevices])
        #expect(reply.status == .created, "\(reply.text)")
        #expect(reply.object["maxDevices"] as? Int == maxDevices)
        return try #require(reply.object["id"] as? String)
    }

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
}
