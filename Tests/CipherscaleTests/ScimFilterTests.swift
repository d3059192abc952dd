import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// SCIM filters (RFC 7644 3.4.2.2), paging, sorting and projection of lists.
@Suite("SCIM filters and lists")
struct ScimFilterTests {
    @Test("the parser follows the grammar: precedence, not, parentheses, value paths, URNs, any case")
    func parser() throws {
        let parsed = try ScimFilterParser.parse(
            "userName Eq \"a\" OR not (name.givenName sw \"B\") AND emails[type eq \"work\" and value co \"@x\"]")
        let userName = ScimAttributePath(attribute: "username")
        let given = ScimAttributePath(attribute: "name", subAttribute: "givenname")
        let emails = ScimAttributePath(attribute: "emails")
        #expect(
            parsed
                == .or(
                    .compare(userName, .eq, .string("a")),
                    .and(
                        .not(.compare(given, .sw, .string("B"))),
                        .valuePath(
                            emails,
                            .and(
                                .compare(ScimAttributePath(attribute: "type"), .eq, .string("work")),
                                .compare(ScimAttributePath(attribute: "value"), .co, .string("@x")))))))
        let urn = try ScimFilterParser.parse("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"x\\\"y\"")
        #expect(urn == .compare(ScimAttributePath(schema: "urn:ietf:params:scim:schemas:core:2.0:user", attribute: "username"), .eq, .string("x\"y")))
        #expect(try ScimFilterParser.parse("(active eq true) and meta.lastModified gt \"2026-01-01T00:00:00Z\" and title pr") != nil)
        for bad in [
            "", "userName", "userName eq", "userName zz \"a\"", "userName eq a", "(userName eq \"a\"", "userName eq \"a", "not userName eq \"a\"",
            "userName eq \"a\" and", String(repeating: "(", count: 40) + "a eq 1" + String(repeating: ")", count: 40),
        ] {
            #expect(throws: ScimError.self, "\(bad)") { try ScimFilterParser.parse(bad) }
        }
    }

    @Test("every operator, and, or, not and value paths select the right users; bad filters are invalidFilter")
    func operators() async throws {
        try await withWorld { world in
            _ = try await world.scimUser("alice@example.com", given: "Alice", family: "Archer", externalId: "ext-1")
            let bob = try await world.scimUser("bob@example.org", given: "Bob", family: "Baker", externalId: "ext-2")
            _ = try await world.scimUser("carol@example.com", given: "Carol", externalId: "EXT-3")
            _ = try await world.scim(
                .patch, "/Users/\(bob["id"] as! String)",
                json: ["schemas": [ScimURN.patchOp], "Operations": [["op": "replace", "path": "active", "value": false]]])
            func names(_ filter: String) async throws -> Set<String> {
                let encoded = filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let list = try await world.scimList("/Users?filter=\(encoded)&count=100")
                #expect(list.total == list.resources.count)
                return Set(list.resources.compactMap { ($0["userName"] as? String)?.components(separatedBy: "@").first })
            }
            #expect(try await names("userName eq \"ALICE@example.com\"") == ["alice"])
            #expect(try await names("userName ne \"alice@example.com\"") == ["bob", "carol", "owner"])
            #expect(try await names("userName co \"EXAMPLE.COM\"") == ["alice", "carol"])
            #expect(try await names("userName sw \"b\"") == ["bob"])
            #expect(try await names("emails ew \".org\"") == ["bob"])
            #expect(try await names("name.givenName gt \"Bob\"") == ["carol"])
            #expect(try await names("name.givenName le \"bob\"") == ["alice", "bob"])
            #expect(try await names("name.familyName pr") == ["alice", "bob"])
            #expect(try await names("externalId eq \"ext-3\"") == [], "externalId is case-exact")
            #expect(try await names("externalId eq \"EXT-3\"") == ["carol"])
            #expect(try await names("active eq false") == ["bob"])
            #expect(try await names("active eq \"True\" and not (userName sw \"owner\")") == ["alice", "carol"])
            #expect(try await names("(userName sw \"a\" or userName sw \"c\") and name.familyName pr") == ["alice"])
            #expect(try await names("emails[type eq \"work\" and value co \"bob\"]") == ["bob"])
            #expect(try await names("meta.created ge \"2000-01-01T00:00:00Z\" and meta.lastModified lt \"2100-01-01T00:00:00Z\"").count == 4)
            #expect(try await names("meta.resourceType eq \"Group\"") == [])
            let group = try await world.defaultGroupId()
            #expect(try await names("groups.value eq \"\(group)\"").count == 4)
            for bad in ["nickName eq \"x\"", "userName eq", "active gt true", "meta.created gt \"yesterday\"", "userName eq 5"] {
                let encoded = bad.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                try await world.scim(.get, "/Users?filter=\(encoded)").expectScimError(.badRequest, "invalidFilter")
            }
        }
    }

    @Test("startIndex and count page through a sorted list with the total; .search takes the same in a body")
    func paging() async throws {
        try await withWorld { world in
            for index in 0..<5 { _ = try await world.scimUser("p\(index)@example.com") }
            let page = try await world.scim(.get, "/Users?filter=userName%20sw%20%22p%22&sortBy=userName&sortOrder=descending&startIndex=2&count=2")
            #expect(page.object["schemas"] as? [String] == [ScimURN.listResponse])
            #expect(page.object["totalResults"] as? Int == 5)
            #expect(page.object["startIndex"] as? Int == 2 && page.object["itemsPerPage"] as? Int == 2)
            #expect((page.object["Resources"] as? [[String: Any]])?.map { $0["userName"] as? String } == ["p3@example.com", "p2@example.com"])
            let searched = try await world.scim(
                .post, "/Users/.search",
                json: [
                    "schemas": [ScimURN.searchRequest], "filter": "userName sw \"p\"", "sortBy": "userName", "startIndex": 5, "count": 10,
                    "attributes": ["userName"],
                ])
            #expect(searched.object["totalResults"] as? Int == 5)
            let last = (searched.object["Resources"] as? [[String: Any]]) ?? []
            #expect(last.count == 1 && last[0]["userName"] as? String == "p4@example.com")
            #expect(Set(last[0].keys) == ["schemas", "id", "userName"], "only what was asked, with schemas and id")
            let totalOnly = try await world.scim(.get, "/Users?count=0")
            #expect(totalOnly.object["totalResults"] as? Int == 6 && (totalOnly.object["Resources"] as? [Any])?.isEmpty == true)
            let capped = try await world.scim(.get, "/Users?count=1000")
            #expect(capped.status == .ok && (capped.object["Resources"] as? [Any])?.count == 6)
            try await world.scim(.get, "/Users?count=many").expectScimError(.badRequest, "invalidValue")
            try await world.scim(.get, "/Users?sortOrder=sideways").expectScimError(.badRequest, "invalidValue")
        }
    }

    @Test("attributes and excludedAttributes shape each answer; id and schemas always stay")
    func projection() async throws {
        try await withWorld { world in
            let user = try await world.scimUser("shape@example.com", given: "Sha", family: "Pe", externalId: "x1")
            let id = user["id"] as! String
            let only = try await world.scim(.get, "/Users/\(id)?attributes=name.givenName,externalId")
            #expect(Set(only.object.keys) == ["schemas", "id", "name", "externalId"])
            #expect(only.object["name"] as? [String: String] == ["givenName": "Sha"])
            let without = try await world.scim(.get, "/Users/\(id)?excludedAttributes=groups,name.familyName,id")
            #expect(without.object["groups"] == nil && without.object["id"] as? String == id)
            #expect(without.object["name"] as? [String: String] == ["givenName": "Sha"])
        }
    }
}
