import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// The audit log pages like every other list, and a device path is resolved before its body.
@Suite("Audit log pages and path resolution")
struct AuditPageTests {
    @Test("the audit log answers the list envelope: exact total, page, limit, hasNext, hasPrevious and nextCursor")
    func auditEnvelope() async throws {
        try await withWorld { world in
            _ = try await world.createUsers((0..<5).map { "env\($0)@a.example" })
            let first = try await world.request(.get, "/tenants/audit-events?action=user.create&limit=2")
            #expect(first.status == .ok)
            #expect(first.object["total"] as? Int == 5)
            #expect(first.object["page"] as? Int == 0)
            #expect(first.object["limit"] as? Int == 2)
            #expect(first.object["hasNext"] as? Bool == true)
            #expect(first.object["hasPrevious"] as? Bool == false)
            let cursor = try #require(first.object["nextCursor"] as? String)

            let byOffset = try await world.request(.get, "/tenants/audit-events?action=user.create&limit=2&offset=4")
            #expect(byOffset.object["page"] as? Int == 2)
            #expect((byOffset.object["data"] as? [[String: Any]])?.count == 1)
            #expect(byOffset.object["hasNext"] as? Bool == false)
            #expect(byOffset.object["nextCursor"] == nil)

            let next = try await world.request(.get, "/tenants/audit-events?action=user.create&limit=2&after=\(cursor)")
            #expect(next.object["hasPrevious"] as? Bool == true)
            #expect(next.object["page"] == nil)
            #expect(next.object["total"] as? Int == 5)
            // A cursor of other filters, or after with an offset, is refused.
            try await world.request(.get, "/tenants/audit-events?action=user.delete&after=\(cursor)").expectProblem(.badRequest)
            try await world.request(.get, "/tenants/audit-events?action=user.create&offset=2&after=\(cursor)").expectProblem(.badRequest)
        }
    }

    @Test("an unknown device id with a malformed heartbeat body is 404, like users and groups")
    func unknownDeviceBeforeBody() async throws {
        try await withWorld { world in
            let unknown = Identifiers.make()
            let reply = try await world.request(.post, "/tenants/devices/\(unknown)/heartbeat", rawBody: "{\"appVersion\": 5}")
            reply.expectProblem(.notFound)
            let tooLong = try await world.request(
                .post, "/tenants/devices/\(unknown)/heartbeat", json: ["appVersion": String(repeating: "9", count: 200)]
            )
            tooLong.expectProblem(.notFound)
        }
    }
}
