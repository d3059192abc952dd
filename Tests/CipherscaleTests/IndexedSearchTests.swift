import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// Search answers come from a trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL), which must stay
/// exactly in step with the users it indexes.
@Suite("Indexed search")
struct IndexedSearchTests {
    func emails(_ world: TestWorld, _ search: String) async throws -> [String] {
        let encoded = search.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? search
        let reply = try await world.request(.get, "/tenants/users?limit=100&sort=email&search=\(encoded)")
        #expect(reply.status == .ok, "\(reply.text)")
        return (reply.object["data"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
    }

    @Test("a page holds exactly the matches its total counts, whatever characters the text and the names hold")
    func pageAndTotalAgree() async throws {
        try await withWorld { world in
            let names = ["50%_Off\\Sale", "Smith", "SMITHERS", "Goldsmith-Ávila", "o'smith \"q\"", "Zoë Smíth", "under_score", "per%cent"]
            let ids = try await world.createUsers(names.indices.map { "person\($0)@names.example" })
            for (id, name) in zip(ids, names) {
                try await world.request(.put, "/tenants/users/\(id)", json: ["lastName": name])
            }
            for search in ["smith", "SMITH", "%_o", "_sc", "r%c", "\\sa", "mít", "ávi", "\"q\"", "ers", "names.example", "zzz"] {
                let encoded = search.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? search
                let reply = try await world.request(.get, "/tenants/users?limit=100&search=\(encoded)")
                let data = reply.object["data"] as? [[String: Any]] ?? []
                #expect(reply.object["total"] as? Int == data.count, "\(search): \(reply.text)")
                // Case is folded for ASCII letters on both engines (beyond ASCII, by the engine's rules).
                guard search.utf8.allSatisfy({ $0 < 0x80 }) else { continue }
                let expected = names.indices.filter { index in
                    [names[index], "person\(index)@names.example"].contains { $0.lowercased().contains(search.lowercased()) }
                }
                #expect(data.count == expected.count, "\(search)")
            }
        }
    }

    @Test("search finds substrings of email, first and last name in any case, and follows edits and deletes")
    func searchFollowsChanges() async throws {
        try await withWorld { world in
            let ids = try await world.createUsers(["Grace.Hopper@navy.example", "alan@turing.example", "ada@lovelace.example"])
            try await world.request(.put, "/tenants/users/\(ids[1])", json: ["firstName": "Alan", "lastName": "Turingstone"])
            #expect(try await emails(world, "hopp") == ["Grace.Hopper@navy.example"])
            #expect(try await emails(world, "GRACE") == ["Grace.Hopper@navy.example"])
            #expect(try await emails(world, "ngsto") == ["alan@turing.example"])
            #expect(try await emails(world, ".example").count == 4)  // the owner's too
            #expect(try await emails(world, "ad") == ["ada@lovelace.example"])  // two characters: a scan, same answer
            #expect(try await emails(world, "a\"b").isEmpty)  // quotes are text, not syntax

            try await world.request(.put, "/tenants/users/\(ids[1])", json: ["lastName": "Church"])
            #expect(try await emails(world, "ngsto").isEmpty)
            #expect(try await emails(world, "churc") == ["alan@turing.example"])
            try await world.request(.delete, "/tenants/users/\(ids[0])")
            #expect(try await emails(world, "hopp").isEmpty)
            let counted = try await world.request(.get, "/tenants/users?search=example&limit=1")
            #expect(counted.object["total"] as? Int == 3)
            // Tenant B's users never match A's search, and the reverse.
            _ = try await world.createUsers(["grace@other.example"], key: world.b.adminKey)
            #expect(try await emails(world, "grace").isEmpty)
            // With matches in both tenants, each total counts its own tenant's alone.
            _ = try await world.createUsers(["grace.a@one.example", "grace.b@one.example"])
            _ = try await world.createUsers(["grace.c@other.example"], key: world.b.adminKey)
            let mine = try await world.request(.get, "/tenants/users?search=grace&limit=1")
            #expect(mine.object["total"] as? Int == 2)
            let theirs = try await world.request(.get, "/tenants/users?search=grace&limit=10", auth: .key(world.b.adminKey))
            #expect(theirs.object["total"] as? Int == 2)
            #expect((theirs.object["data"] as? [[String: Any]])?.count == 2)
        }
    }
}
