import CipherscaleAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import Cipherscale

/// `GET /tenants/users/{id}` and `GET /tenants/users` are answered as bytes written by hand
/// (``DirectUserReadsMiddleware``). Whatever a client sends, the answer must be what the generated
/// handler gives: the same status, content type and ETag, and a body that parses to the same JSON.
@Suite struct UserJSONTests: DeviceTestSupport {
    /// Users with every optional part set and unset, names that need escaping, roles, groups and devices.
    private func seed(_ world: TestWorld) async throws -> [String] {
        let group = try await world.createGroup("Ops \"night\" / on-call")
        let described = try await world.request(
            .post, "/tenants/groups", json: ["name": "Described", "description": "line\nbreak, tab\t, quote \" and \\", "roles": []])
        let describedId = try #require(described.object["id"] as? String)
        let ids = try await world.createUsers(["plain@a.example", "Elodie.U@a.example", "q@a.example"], groups: [group, describedId])
        try await world.request(.patch, "/tenants/users/\(ids[0])", json: ["firstName": "Zoë \"Z\" 中文 😀", "lastName": "back\\slash </script>"])
        try await world.request(
            .patch, "/tenants/users/\(ids[1])",
            json: ["firstName": "bell \u{07} nul-free \u{1F}", "image": "https://img.example/a/b.png", "maxDevices": 3])
        try await world.request(.put, "/tenants/users/\(ids[2])/roles", json: ["addedRoles": [try await world.roleId("ADMIN")]])
        _ = try await Self.device(world, user: ids[1], hardwareId: "hw-1", posture: ["os": "macOS", "disk": ["encrypted": true], "score": 7.5])
        _ = try await Self.device(world, user: ids[1], name: "Phone", hardwareId: "hw-2")
        return ids + [world.a.ownerId]
    }

    @Test func everyUserReadAnswersWhatTheGeneratedHandlerAnswers() async throws {
        try await withWorld { world in
            let ids = try await seed(world)
            let generated = try buildRouter(services: world.services, invitationRateLimit: 0, directUserReads: false)
            let firstPage = try await world.request(.get, "/tenants/users?limit=2&sort=email")
            let cursor = try #require(firstPage.object["nextCursor"] as? String)
            let group = try await world.defaultGroupId()
            var uris = ids.map { "/tenants/users/\($0)" } + ids.map { "/tenants/users/\($0.uppercased())?unknown=1" }
            uris += [
                "/tenants/users/\(Self.unknownId)", "/tenants/users/not-a-uuid",
                "/tenants/users/\(ids[0].replacingOccurrences(of: "-", with: "%2D"))",
                "/tenants/users/\(world.b.ownerId)",
                "/tenants/users", "/tenants/users?limit=2", "/tenants/users?limit=0", "/tenants/users?offset=1&limit=1",
                "/tenants/users?sort=-email", "/tenants/users?sort=firstName,-lastName&limit=3", "/tenants/users?limit=2&sort=email&after=\(cursor)",
                "/tenants/users?after=garbage", "/tenants/users?search=zo%C3%AB", "/tenants/users?search=%zz", "/tenants/users?search=a.example",
                "/tenants/users?limit=abc", "/tenants/users?limit=5&limit=6", "/tenants/users?limit=%2B3", "/tenants/users?offset=-1",
                "/tenants/users?filter[status][eq]=pending", "/tenants/users?filter%5Bstatus%5D%5Beq%5D=active",
                "/tenants/users?filter[groups.id][eq]=\(group)", "/tenants/users?page[limit]=3&page[offset]=1", "/tenants/users?unknown=1",
                "/tenants/users?search=+", "/tenants/users?sort=nope",
            ]
            // Answers written by hand list their members in the schema's order (the generated
            // encoder's order varies): these were answered directly, so the comparison below means something.
            for uri in ["/tenants/users/\(ids[0])", "/tenants/users/\(ids[1])", "/tenants/users?limit=2&search=a.example"] {
                let text = try await world.request(.get, uri).text
                #expect(text.hasPrefix("{\"id\":\"") || text.hasPrefix("{\"data\":[{\"id\":\""), "\(uri): \(text)")
            }
            let requests = uris
            let app = Application(router: generated, logger: Logger(label: "generated"))
            try await app.test(.router) { client in
                for uri in requests {
                    let direct = try await world.request(.get, uri)
                    let expected = Reply(
                        response: try await client.executeRequest(
                            uri: uri, method: .get, headers: [HTTPField.Name("apikey")!: world.a.adminKey], body: nil))
                    #expect(direct.status == expected.status, "\(uri): \(direct.text) vs \(expected.text)")
                    #expect(direct.contentType == expected.contentType, "\(uri)")
                    #expect(direct.headers[.eTag] == expected.headers[.eTag], "\(uri)")
                    #expect(Self.comparable(direct) == Self.comparable(expected), "\(uri): \(direct.text) vs \(expected.text)")
                }
            }
        }
    }

    @Test func aDirectAnswerStillHonoursIfNoneMatch() async throws {
        try await withWorld { world in
            let id = try await world.createUsers(["tagged@a.example"])[0]
            let first = try await world.request(.get, "/tenants/users/\(id)")
            let tag = try #require(first.headers[.eTag])
            #expect(tag.hasPrefix("\""))
            let again = try await world.request(.get, "/tenants/users/\(id)", headers: ["If-None-Match": tag])
            #expect(again.status == .notModified)
            #expect(again.headers[.eTag] == tag)
        }
    }

    @Test func bytesParseToTheGeneratedEncodingForEveryShape() throws {
        let role = Role(
            id: RoleID.make(), type: .admin, name: "Admin \"all\"", description: nil, deleteable: false, createdAt: 0, updatedAt: 1_764_000_000_123)
        let group = GroupSummary(id: GroupID.make(), name: "G/1", description: "d\u{0}?", createdAt: -1, updatedAt: 253_402_300_799_999)
        let postures: [String?] = [
            nil, #"{"os":"macOS","disk":{"encrypted":true},"score":7.5,"tags":["a","b"]}"#, " {\n \"n\": null }", "[1]", "{broken",
        ]
        let devices = postures.enumerated().map { index, posture in
            Device(
                id: DeviceID.make(), userId: nil, name: index % 2 == 0 ? nil : "Laptop \"\(index)\"", hardwareId: "hw-\(index)",
                appVersion: index == 1 ? nil : "1.\(index)", posture: posture, active: index != 3,
                lastConnection: index % 2 == 0 ? 1_700_000_000_000 + Millis(index) : nil, createdAt: Millis(index), updatedAt: 42,
                status: index == 3 ? .deactivated : .offline, owner: nil)
        }
        var users: [User] = []
        for bits in 0..<16 {
            users.append(
                User(
                    id: UserID.make(), email: "u\(bits)@x.example", firstName: bits & 1 == 0 ? nil : "F \u{1}", lastName: bits & 2 == 0 ? nil : "é",
                    image: bits & 4 == 0 ? nil : "https://x/y", status: bits & 8 == 0 ? .pending : .inactive, isOwner: bits == 3,
                    maxDevices: bits & 1 == 0 ? nil : bits, lastConnection: bits & 2 == 0 ? nil : 1_700_000_000_001,
                    createdAt: Millis(bits) * 999_983, updatedAt: 1_764_000_000_000 + Millis(bits), roles: bits & 4 == 0 ? [] : [role, role],
                    groups: bits & 8 == 0 ? [] : [group], devices: bits % 3 == 0 ? [] : devices))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(try MillisecondDateTranscoder().encode(date))
        }
        for user in users {
            let direct = try Self.parse(UserJSON.user(user))
            let generated = try JSONSerialization.jsonObject(with: try encoder.encode(UserResource(user))) as? NSDictionary
            #expect(direct == generated, "\(user)")
        }
        for (offset, limit, cursor) in [(0, 10, nil), (5, 5, nil), (0, 0, nil), (0, 3, "cursor/\"x\"")] as [(Int, Int, String?)] {
            var page = Page(items: users, total: 40, offset: offset, limit: limit)
            page.nextCursor = cursor
            page.keyset = cursor != nil
            let direct = try Self.parse(UserJSON.page(page))
            let generated = try JSONSerialization.jsonObject(with: try encoder.encode(Components.Schemas.UserPage(page))) as? NSDictionary
            #expect(direct == generated)
        }
    }

    private static func parse(_ buffer: ByteBuffer) throws -> NSDictionary? {
        try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? NSDictionary
    }

    /// The body without what differs between two answers to the same request (a problem's request id).
    private static func comparable(_ reply: Reply) -> NSDictionary {
        var object = reply.object
        object["requestId"] = nil
        object["instance"] = nil
        // A cursor is JSON in base64url, its members in no fixed order: compare what it holds.
        if let cursor = object["nextCursor"] as? String {
            var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            object["nextCursor"] = Data(base64Encoded: base64).flatMap { try? JSONSerialization.jsonObject(with: $0) }
        }
        return object as NSDictionary
    }
}
