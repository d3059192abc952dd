import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// A change to something that does not exist in the caller's tenant is 404, whether its body is valid
/// or refused; only a change to an existing resource reports what is wrong with its body. The target
/// is looked up before the body's refusal stands, but not before a valid change (which finds it, or
/// not, in its own transaction).
@Suite struct ChangeTargetTests: DeviceTestSupport {
    @Test func anUnknownOrForeignTargetIs404WhateverTheBodyAndAKnownOneHearsAboutItsBody() async throws {
        try await withWorld { world in
            let user = try await world.createUsers(["target@a.example"])[0]
            let group = try await world.createGroup("Targets")
            let device = try await Self.device(world, user: try await Self.activeUser(world, "device-owner@a.example"), hardwareId: "hw-target")
            let foreignUser = world.b.ownerId
            let foreignGroup =
                try await world.request(.post, "/tenants/groups", auth: .key(world.b.adminKey), json: ["name": "B's", "roles": []])
                .object["id"] as? String ?? ""
            let foreignDevice = try await Self.device(
                world, user: try await Self.activeUser(world, "b-device@b.example", key: world.b.adminKey), hardwareId: "hw-b", key: world.b.adminKey)
            let admin = try await world.roleId("ADMIN")
            // (method, path with ID for the target, a valid body, a refused body)
            let changes: [(HTTPRequest.Method, String, [String: Any], [String: Any])] = [
                (.put, "/tenants/users/ID", ["firstName": "Ann"], ["maxDevices": -1]),
                (.patch, "/tenants/users/ID/roles", ["addedRoles": [admin]], ["addedRoles": [String]()]),
                (.post, "/tenants/users/ID/groups", ["groupId": group], ["groupId": "not-a-uuid"]),
                (.put, "/tenants/groups/ID", ["name": "Renamed", "roles": [String]()], ["name": " ", "roles": [String]()]),
                (.post, "/tenants/devices/ID/heartbeat", ["appVersion": "2.0.0"], ["appVersion": String(repeating: "9", count: 500)]),
            ]
            let own = [user, user, user, group, device]
            let foreign = [foreignUser, foreignUser, foreignUser, foreignGroup, foreignDevice]
            for (index, (method, path, valid, refused)) in changes.enumerated() {
                for target in [Self.unknownId, foreign[index]] {
                    let uri = path.replacingOccurrences(of: "ID", with: target)
                    try await world.request(method, uri, json: valid).expectProblem(.notFound)
                    try await world.request(method, uri, json: refused).expectProblem(.notFound)
                }
                let uri = path.replacingOccurrences(of: "ID", with: own[index])
                try await world.request(method, uri, json: refused).expectProblem(.badRequest)
                let done = try await world.request(method, uri, json: valid)
                #expect((200..<300).contains(done.status.code), "\(uri): \(done.text)")
            }
        }
    }
}
