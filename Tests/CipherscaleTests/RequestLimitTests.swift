import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// Bounds that keep one request small, whatever a client sends.
@Suite("Request limits")
struct RequestLimitTests {
    @Test("offsets above 1,000,000, over-long searches and query strings, too many filters and unsortable fields are 400")
    func listBounds() async throws {
        try await withWorld { world in
            let bad = [
                "/tenants/users?offset=1000001", "/tenants/users?page[offset]=2000000", "/tenants/groups?offset=1000001",
                "/tenants/devices?offset=1000001", "/tenants/users?search=" + String(repeating: "a", count: 257),
                "/tenants/users?" + (0..<21).map { "filter[status]=pending&x\($0)=1" }.joined(separator: "&"),
                "/tenants/users?sort=email,id,status,createdAt,updatedAt,lastName",
                "/tenants/users?x=" + String(repeating: "b", count: 9000),
            ]
            for path in bad { try await world.request(.get, path).expectProblem(.badRequest) }
            let role = try await world.roleId("DEFAULT")
            try await world.request(.get, "/tenants/roles/\(role)/users?offset=1000001").expectProblem(.badRequest)
            // At the bounds the requests are served.
            #expect(try await world.request(.get, "/tenants/users?offset=1000000").status == .ok)
            #expect(try await world.request(.get, "/tenants/users?search=" + String(repeating: "a", count: 256)).status == .ok)
            // Every sortable field at once, one named twice: a repeated field adds nothing, so no count limit applies.
            let everyField = "sort=email,-email,status,createdAt,updatedAt:desc,lastName,+firstName,%20lastConnection%20"
            #expect(try await world.request(.get, "/tenants/users?" + everyField).status == .ok)
        }
    }
}
