import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import Cipherscale

/// The client commands of the real `cipherscale` executable against a live server.
@Suite("Command-line client")
struct ClientCommandTests {
    @Test("users create --file makes 150 users in two batches; list --all reads them all; tables align; filter and sort apply")
    func createAndList() async throws {
        try await withLiveServer { server in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("emails-\(UUID().uuidString).txt")
            defer { try? FileManager.default.removeItem(at: file) }
            let emails = (0..<150).map { String(format: "user%03d@cli.example", $0) }
            try ("# people to invite\n\n" + emails.joined(separator: "\n") + "\n  \n# end\n").write(to: file, atomically: true, encoding: .utf8)

            let created = try await server.cipherscale("users", "create", "--file", file.path, "--json")
            #expect(created.status == 0, "\(created)")
            #expect(created.stderr.contains("created 100 of 150") && created.stderr.contains("created 150 of 150"), "\(created)")
            let users = created.json as? [[String: Any]] ?? []
            #expect(users.map { $0["email"] as? String } == emails)
            #expect(users.allSatisfy { ($0["groups"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Default"] })

            let all = try await server.cipherscale("users", "list", "--all", "--json")
            #expect(all.status == 0, "\(all)")
            let listed = all.json as? [[String: Any]] ?? []
            #expect(listed.count == 151)
            #expect(Set(emails).isSubset(of: Set(listed.compactMap { $0["email"] as? String })))
            #expect(all.stderr.contains("fetched 100 of 151") && all.stderr.contains("fetched 151 of 151"), "\(all)")

            let table = try await server.cipherscale("users", "list", "--all")
            #expect(table.status == 0, "\(table)")
            #expect(table.lines.count == 152)
            let header = table.lines[0]
            #expect(header.hasPrefix("ID") && header.contains("EMAIL") && header.contains("ROLES") && header.contains("GROUPS"))
            for column in ["EMAIL", "STATUS", "ROLES"] {
                let offset = header.distance(from: header.startIndex, to: header.range(of: column)!.lowerBound)
                #expect(table.lines.dropFirst().allSatisfy { $0.count > offset && $0[$0.index($0.startIndex, offsetBy: offset - 2)] == " " })
                #expect(table.lines.dropFirst().allSatisfy { $0[$0.index($0.startIndex, offsetBy: offset)] != " " }, "\(column) column")
            }

            let page = try await server.cipherscale("users", "list", "--limit", "5")
            #expect(page.status == 0 && page.lines.count == 6 && page.stderr.contains("showed 5 of 151"), "\(page)")

            let filtered = try await server.cipherscale(
                "users", "list", "--filter", "email:ilike:user01%", "--filter", "status:eq:pending", "--sort", "-email", "--json")
            #expect(filtered.status == 0, "\(filtered)")
            let envelope = filtered.json as? [String: Any] ?? [:]
            let found = (envelope["data"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
            #expect(envelope["total"] as? Int == 10)
            #expect(found == (10..<20).reversed().map { String(format: "user%03d@cli.example", $0) })

            let searched = try await server.cipherscale("users", "list", "--search", "USER149", "--json")
            #expect(((searched.json as? [String: Any])?["data"] as? [[String: Any]])?.map { $0["email"] as? String } == ["user149@cli.example"])
        }
    }

    @Test("a refused request exits 1 with the problem on stderr; an unreachable server exits 1 and says so")
    func refusals() async throws {
        try await withLiveServer { server in
            let unknown = "00000000-0000-4000-8000-000000000000"
            let missing = try await server.cipherscale("users", "get", unknown)
            #expect(missing.status == 1 && missing.stdout.isEmpty, "\(missing)")
            // One line: status, the problem's title, then its detail (whatever their wording).
            #expect(missing.stderr.hasPrefix("cipherscale: 404 ") && missing.stderr.split(separator: "\n").count == 1, "\(missing)")
            #expect(missing.stderr.split(separator: ":").count >= 3, "\(missing)")

            let readOnly = try await server.cipherscale("users", "create", "--email", "ro@cli.example", key: server.a.readOnlyKey)
            #expect(readOnly.status == 1 && readOnly.stderr.hasPrefix("cipherscale: 403 "), "\(readOnly)")

            let wrongKey = try await server.cipherscale("roles", "list", key: "csk_0000000000000000_" + String(repeating: "A", count: 43))
            #expect(wrongKey.status == 1 && wrongKey.stderr.hasPrefix("cipherscale: 401 "), "\(wrongKey)")

            let invalid = try await server.cipherscale("users", "create", "--email", "not-an-email", "--json")
            #expect(invalid.status == 1 && invalid.stderr.hasPrefix("cipherscale: 400 ") && invalid.stderr.contains("\n  /0/email: "), "\(invalid)")

            let other = try await server.cipherscale("users", "delete", server.b.ownerId)
            #expect(other.status == 1 && other.stderr.contains("404"), "\(other)")

            let port = try await Self.closedPort()
            let unreachable = try await server.cipherscale("roles", "list", environment: ["CIPHERSCALE_URL": "http://127.0.0.1:\(port)"])
            #expect(unreachable.status == 1, "\(unreachable)")
            #expect(unreachable.stderr == "cipherscale: cannot reach http://127.0.0.1:\(port): connection refused\n", "\(unreachable)")
        }
    }

    @Test("bad usage exits 2 with ArgumentParser's message; help exits 0")
    func usage() async throws {
        try await withLiveServer { server in
            let noKey = try await server.cipherscale("users", "list", key: .some(nil))
            #expect(noKey.status == 2 && noKey.stderr.contains("CIPHERSCALE_API_KEY"), "\(noKey)")
            let unknownOption = try await server.cipherscale("users", "list", "--colour")
            #expect(unknownOption.status == 2 && unknownOption.stderr.contains("--colour"), "\(unknownOption)")
            let badFilter = try await server.cipherscale("users", "list", "--filter", "status=active")
            #expect(badFilter.status == 2 && badFilter.stderr.contains("field:op:value"), "\(badFilter)")
            let badOperator = try await server.cipherscale("users", "list", "--filter", "status:is:active")
            #expect(badOperator.status == 2 && badOperator.stderr.contains("unknown operator"), "\(badOperator)")
            let missingArgument = try await server.cipherscale("users", "get")
            #expect(missingArgument.status == 2 && missingArgument.stderr.contains("<id>"), "\(missingArgument)")
            let unknownRole = try await server.cipherscale("users", "roles", server.a.ownerId, "--add", "WIZARD")
            #expect(unknownRole.status == 2 && unknownRole.stderr.contains("WIZARD"), "\(unknownRole)")

            for arguments in [["--help"], ["help"], ["users", "--help"], ["help", "users"], ["users"]] {
                let help = try await CipherscaleExecutable.run(arguments, environment: [:])
                #expect(help.status == 0 && help.stdout.contains("USAGE") && help.stderr.isEmpty, "\(arguments): \(help)")
            }
            let root = try await CipherscaleExecutable.run(["--help"], environment: [:])
            #expect(
                root.stdout.contains("OPERATOR (ON THE DATABASE DIRECTLY) SUBCOMMANDS")
                    && root.stdout.contains("CLIENT (OVER HTTP, WITH AN API KEY) SUBCOMMANDS"), "\(root)")
            let serveTypo = try await CipherscaleExecutable.run(["--port", "x"], environment: [:])
            #expect(serveTypo.status == 2, "\(serveTypo)")
        }
    }

    @Test("users roles with only --add, groups add-user and remove-user, roles, devices and audit list")
    func rolesGroupsAudit() async throws {
        try await withLiveServer { server in
            let created = try await server.cipherscale("users", "create", "--email", "ada@cli.example", "--json")
            #expect(created.status == 0, "\(created)")
            let user = try #require((created.json as? [[String: Any]])?.first?["id"] as? String)

            let added = try await server.cipherscale("users", "roles", user, "--add", "admin", "--json")
            #expect(added.status == 0, "\(added)")
            #expect(
                ((added.json as? [String: Any])?["roles"] as? [[String: Any]])?.compactMap { $0["type"] as? String }.sorted() == ["ADMIN", "DEFAULT"])

            let group = try await server.cipherscale("groups", "create", "--name", "Engineering", "--role", "BILLING", "--json")
            #expect(group.status == 0, "\(group)")
            let groupId = try #require((group.json as? [String: Any])?["id"] as? String)
            let joined = try await server.cipherscale("groups", "add-user", groupId, user)
            #expect(joined.status == 0 && joined.lines.count == 2 && joined.lines[1].contains("Default,Engineering"), "\(joined)")
            #expect(joined.lines[1].contains("BILLING"), "\(joined)")
            let groups = try await server.cipherscale("groups", "list")
            #expect(groups.status == 0 && groups.lines.count == 3 && groups.stdout.contains("Engineering"), "\(groups)")
            let left = try await server.cipherscale("groups", "remove-user", groupId, user)
            #expect(left.status == 0 && left.stdout == "removed user \(user) from group \(groupId)\n", "\(left)")
            let after = try await server.cipherscale("users", "get", user, "--json")
            #expect(((after.json as? [String: Any])?["groups"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Default"], "\(after)")
            let again = try await server.cipherscale("groups", "remove-user", groupId, user)
            #expect(again.status == 1 && again.stderr.contains("404"), "\(again)")

            let roles = try await server.cipherscale("roles", "list")
            #expect(roles.status == 0 && roles.lines.count == 8 && roles.stdout.contains("AUDITOR"), "\(roles)")
            let devices = try await server.cipherscale("devices", "list", "--all")
            #expect(devices.status == 0 && devices.lines == [devices.lines.first ?? ""] && devices.stderr.contains("fetched 0 of 0"), "\(devices)")

            let audit = try await server.cipherscale("audit", "list", "--json")
            #expect(audit.status == 0, "\(audit)")
            let actions = ((audit.json as? [String: Any])?["data"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(actions.contains("user.roles.update") && actions.contains("user.create") && actions.contains("group.create"), "\(actions)")
            let walked = try await server.cipherscale("audit", "list", "--all", "--json")
            #expect((walked.json as? [Any])?.count == actions.count, "\(walked)")
            let future = try await server.cipherscale("audit", "list", "--since", "2999-01-01T00:00:00.000Z")
            #expect(future.status == 0 && future.lines.count == 1, "\(future)")
            let badSince = try await server.cipherscale("audit", "list", "--since", "yesterday")
            #expect(badSince.status == 2, "\(badSince)")

            let deactivated = try await server.cipherscale("users", "deactivate", user)
            #expect(deactivated.status == 0 && deactivated.stdout.contains("inactive"), "\(deactivated)")
            let reactivated = try await server.cipherscale("users", "reactivate", user)
            #expect(reactivated.status == 0 && reactivated.stdout.contains("pending"), "\(reactivated)")
            let invited = try await server.cipherscale("users", "invite", user)
            #expect(invited.status == 0 && invited.stdout == "invited user \(user)\n", "\(invited)")
            let deleted = try await server.cipherscale("users", "delete", user)
            #expect(deleted.status == 0, "\(deleted)")
            let deletedGroup = try await server.cipherscale("groups", "delete", groupId)
            #expect(deletedGroup.status == 0, "\(deletedGroup)")
        }
    }

    /// A loopback port nothing listens on (bound, then closed).
    static func closedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 9
        try await channel.close()
        return port
    }
}
