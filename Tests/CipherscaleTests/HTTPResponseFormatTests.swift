import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("HTTP behaviour: response format")
struct HTTPResponseFormatTests: HTTPTestSupport {
    @Test("maxDevices is present as JSON null in every User answer")
    func maxDevicesIsNull() async throws {
        try await withWorld { world in
            let created = try await world.request(.post, "/tenants/users", json: ["email": "null@example.com", "groups": [String]()])
            #expect(created.status == .created)
            let id = try #require(created.object["id"] as? String)
            let role = try await world.roleId("BILLING")
            var users: [(String, [String: Any], String)] = [("create", created.object, created.text)]
            let batch = try await world.request(.post, "/tenants/users", json: [["email": "null2@example.com", "groups": [String]()]])
            users += batch.array.map { ("batch", $0, batch.text) }
            let one = try await world.request(.get, "/tenants/users/\(id)")
            users.append(("get", one.object, one.text))
            let list = try await world.request(.get, "/tenants/users?limit=100")
            users += (list.object["data"] as? [[String: Any]] ?? []).map { ("list", $0, list.text) }
            let put = try await world.request(.put, "/tenants/users/\(id)", json: ["firstName": "Nil"])
            users.append(("put", put.object, put.text))
            let roles = try await world.request(.patch, "/tenants/users/\(id)/roles", json: ["addedRoles": [role], "removedRoles": [String]()])
            users.append(("roles", roles.object, roles.text))
            let holders = try await world.request(.get, "/tenants/roles/\(role)/users")
            users += holders.array.map { ("holders", $0, holders.text) }
            let deactivated = try await world.request(.patch, "/tenants/users/\(id)/deactivate")
            users.append(("deactivate", deactivated.object, deactivated.text))
            #expect(users.count == 10)
            for (label, user, text) in users {
                #expect(user["id"] is String, "\(label): \(text)")
                #expect(user.keys.contains("maxDevices") && user["maxDevices"] is NSNull, "\(label): \(text)")
                #expect(text.contains("\"maxDevices\":null"), "\(label)")
            }
        }
    }

    @Test("timestamps are printed as UTC ISO-8601 with exactly three fractional digits")
    func timestampFormat() async throws {
        try await withWorld { world in
            let shape = try Regex(#"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"#)
            let group = try await world.createGroup("Stamped", roles: [try await world.roleId("BILLING")])
            let id = try await world.createUsers(["stamp@example.com"], groups: [group])[0]
            var stamps: [(String, Any?)] = []
            let user = try await world.request(.get, "/tenants/users/\(id)")
            stamps += [("user.createdAt", user.object["createdAt"]), ("user.updatedAt", user.object["updatedAt"])]
            for role in user.object["roles"] as? [[String: Any]] ?? [] { stamps.append(("user.roles.createdAt", role["createdAt"])) }
            for group in user.object["groups"] as? [[String: Any]] ?? [] { stamps.append(("user.groups.createdAt", group["createdAt"])) }
            let groupReply = try await world.request(.get, "/tenants/groups/\(group)")
            stamps += [("group.createdAt", groupReply.object["createdAt"]), ("group.updatedAt", groupReply.object["updatedAt"])]
            for member in groupReply.object["users"] as? [[String: Any]] ?? [] {
                stamps += [("member.createdAt", member["createdAt"]), ("member.updatedAt", member["updatedAt"])]
            }
            for role in try await world.request(.get, "/tenants/roles").array {
                stamps += [("role.createdAt", role["createdAt"]), ("role.updatedAt", role["updatedAt"])]
            }
            #expect(stamps.count >= 22)
            for (label, value) in stamps {
                let text = value as? String ?? ""
                #expect(text.wholeMatch(of: shape) != nil, "\(label): \(String(describing: value))")
                #expect(Timestamps.parse(text) != nil, "\(label): \(text)")
            }
        }
    }

    @Test("a createdAt printed by the API, percent-encoded, finds its own user with eq, gte and lte")
    func printedTimestampsFilterTheirOwnRow() async throws {
        try await withWorld { world in
            let ids = try await world.createUsers((0..<5).map { "when\($0)@example.com" })
            let target = ids[2]
            let user = try await world.request(.get, "/tenants/users/\(target)")
            let stamp = try #require(user.object["createdAt"] as? String)
            let encoded = try #require(stamp.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            for op in ["eq", "gte", "lte"] {
                let narrowed = try await world.request(.get, "/tenants/users?filter[createdAt][\(op)]=\(encoded)&filter[id]=\(target)")
                #expect(narrowed.status == .ok, "\(op): \(narrowed.text)")
                #expect(narrowed.object["total"] as? Int == 1, "\(op): \(narrowed.text)")
                let alone = try await world.request(.get, "/tenants/users?limit=100&filter[createdAt][\(op)]=\(encoded)")
                let found = (alone.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(found.contains(target), "\(op) without the id filter: \(alone.text)")
            }
            let plain = try await world.request(.get, "/tenants/users?limit=100&filter[createdAt]=\(encoded)")
            #expect((plain.object["data"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == target })
            // Strictly after and strictly before exclude the row itself.
            for op in ["gt", "lt"] {
                let strict = try await world.request(.get, "/tenants/users?filter[createdAt][\(op)]=\(encoded)&filter[id]=\(target)")
                #expect(strict.object["total"] as? Int == 0, "\(op): \(strict.text)")
            }
        }
    }

    /// Counts whitespace characters that are not inside a JSON string.
    static func whitespaceOutsideStrings(_ text: String) -> Int {
        var inString = false
        var escaped = false
        var count = 0
        for character in text {
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else if character == "\"" {
                inString = true
            } else if character.isWhitespace {
                count += 1
            }
        }
        return count
    }

    @Test("JSON answers are compact, with no newlines or padding")
    func compactJSON() async throws {
        try await withWorld { world in
            let id = try await world.createUsers(["compact@example.com"])[0]
            let group = try await world.createGroup("Compact")
            let paths = [
                "/tenants/users", "/tenants/users/\(id)", "/tenants/users/\(id)/roles", "/tenants/roles", "/tenants/groups",
                "/tenants/groups/\(group)", "/tenants/users/\(Self.unknownId)",
            ]
            var replies: [(String, Reply)] = []
            for path in paths { replies.append((path, try await world.request(.get, path))) }
            replies.append(
                ("create", try await world.request(.post, "/tenants/users", json: ["email": "compact2@example.com", "groups": [String]()])))
            replies.append(("health", try await world.request(.get, "/health", auth: .none)))
            replies.append(("bad body", try await world.request(.post, "/tenants/users", json: ["email": 5, "groups": [String]()])))
            for (label, reply) in replies {
                #expect(reply.json != nil, "\(label): \(reply.text)")
                #expect(!reply.text.contains("\n"), "\(label)")
                #expect(Self.whitespaceOutsideStrings(reply.text) == 0, "\(label): \(reply.text)")
                #expect(reply.text.first == "{" || reply.text.first == "[", "\(label)")
            }
        }
    }
}
