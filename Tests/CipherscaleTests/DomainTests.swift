import Foundation
import Testing

@testable import Cipherscale

@Suite("Domain rules without HTTP")
struct DomainTests {
    @Test("timestamps print at millisecond precision and parse back to the same instant")
    func timestampsRoundTrip() {
        let millis: Millis = 1_673_778_600_123
        #expect(Timestamps.format(millis) == "2023-01-15T10:30:00.123Z")
        #expect(Timestamps.parse("2023-01-15T10:30:00.123Z") == millis)
        #expect(Timestamps.parse("2023-01-15T10:30:00Z") == 1_673_778_600_000)
        #expect(Timestamps.parse("2023-01-15T12:30:00.123456+02:00") == millis)
        #expect(Timestamps.parse("2023-01-15T10:30:00.1Z") == 1_673_778_600_100)
        #expect(Timestamps.format(0) == "1970-01-01T00:00:00.000Z")
    }

    @Test(
        "malformed or impossible timestamps are refused",
        arguments: [
            "", "2023-01-15", "2023-01-15T10:30:00", "2023-13-01T00:00:00Z", "2023-02-31T00:00:00Z", "yesterday", "2023-01-15T10:30:00.Z",
        ])
    func timestampsRefuseGarbage(text: String) {
        #expect(Timestamps.parse(text) == nil)
    }

    @Test("new ids are lower-case version 7 UUIDs in creation order")
    func identifiersAreOrdered() {
        let ids = (0..<1000).map { _ in Identifiers.make() }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(5) {
            #expect(id == id.lowercased())
            #expect(Identifiers.canonical(id) == id)
            #expect(Array(id)[14] == "7")
        }
        #expect(Identifiers.canonical("550E8400-E29B-41D4-A716-446655440000") == "550e8400-e29b-41d4-a716-446655440000")
        #expect(Identifiers.canonical("not-a-uuid") == nil)
        #expect(Identifiers.canonical("550e8400e29b41d4a716446655440000") == nil)
    }

    @Test("email validation accepts ordinary addresses and refuses malformed ones")
    func emailValidation() {
        for good in ["jane.smith@company.com", "a+tag@b.co", "X_Y@sub.domain.org", "o'brien@example.ie"] {
            #expect(Validation.isValidEmail(good), "\(good)")
        }
        for bad in [
            "", "plain", "@example.com", "a@", "a@b", "a b@c.com", "a@b..com", ".a@b.com", "a@-b.com", String(repeating: "a", count: 250) + "@b.com",
        ] {
            #expect(!Validation.isValidEmail(bad), "\(bad)")
        }
    }

    @Test("API keys have a lookup prefix and a 256-bit secret, and parse back")
    func apiKeyShape() {
        let key = APIKeySecret.generate()
        #expect(key.prefix.count == 16)
        #expect(key.secret.count == 43)
        #expect(APIKeySecret.parse(key.text) == key)
        #expect(APIKeySecret.parse("csk_short_x") == nil)
        #expect(APIKeySecret.parse("nonsense") == nil)
        #expect(Secrets.constantTimeEquals(Secrets.hash("a"), Secrets.hash("a")))
        #expect(!Secrets.constantTimeEquals(Secrets.hash("a"), Secrets.hash("b")))
    }

    @Test("list parameters: defaults, aliases, clamping and sort syntaxes")
    func listQueryParsing() throws {
        let plain = try ListQuery.parse(nil, schema: .users)
        #expect(plain.limit == 10 && plain.offset == 0)
        #expect(plain.sort == [SortKey(field: "createdAt", descending: false)])

        let aliased = try ListQuery.parse("page%5Blimit%5D=25&page[offset]=50", schema: .users)
        #expect(aliased.limit == 25 && aliased.offset == 50)
        #expect(try ListQuery.parse("limit=1000", schema: .users).limit == 100)

        let sorted = try ListQuery.parse("sort=email,-lastName&sort=firstName:desc&sort=status:asc", schema: .users)
        #expect(
            sorted.sort == [
                SortKey(field: "email", descending: false), SortKey(field: "lastName", descending: true),
                SortKey(field: "firstName", descending: true), SortKey(field: "status", descending: false),
            ])
        let search = try ListQuery.parse("search=Jane+Doe", schema: .users)
        #expect(search.search == "jane doe")
    }

    @Test("list parameters: filters are typed and checked")
    func listFilters() throws {
        let query = try ListQuery.parse(
            "filter[status]=active&filter[email][ilike]=%25ACME%25&filter[createdAt][gte]=2023-01-15T10:30:00Z&filter[isOwner][eq]=false&filter[groups.id][in]=550e8400-e29b-41d4-a716-446655440000,550E8400-E29B-41D4-A716-446655440001",
            schema: .users
        )
        #expect(
            query.filters == [
                ListFilter(field: "status", op: .eq, values: [.text("active")]),
                ListFilter(field: "email", op: .ilike, values: [.text("%acme%")]),
                ListFilter(field: "createdAt", op: .gte, values: [.millis(1_673_778_600_000)]),
                ListFilter(field: "isOwner", op: .eq, values: [.bool(false)]),
                ListFilter(
                    field: "groups.id", op: .in,
                    values: [.text("550e8400-e29b-41d4-a716-446655440000"), .text("550e8400-e29b-41d4-a716-446655440001")]),
            ])
    }

    @Test(
        "bad list parameters are 400 and name the parameter",
        arguments: [
            "limit=-1", "limit=ten", "offset=-5", "offset=1.5", "sort=password", "sort=email:sideways", "filter[password]=x",
            "filter[email][like]=x", "filter[createdAt]=yesterday", "filter[isOwner]=maybe", "filter[status]=deleted",
            "filter[groups.id][gt]=550e8400-e29b-41d4-a716-446655440000", "filter[id]=nope", "filter[email][eq][x]=1",
            "search=d%00x", "filter[firstName]=a%00",
        ])
    func badListParameters(query: String) {
        #expect(throws: DirectoryError.self) { try ListQuery.parse(query, schema: .users) }
        do {
            _ = try ListQuery.parse(query, schema: .users)
        } catch {
            #expect(error.kind == .invalidInput)
            #expect(error.errors.first?.location.pointer.hasPrefix("query:") == true)
        }
    }
}
