import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("Mass assignment: invitations")
struct InvitationMassAssignmentTests: MassAssignmentTestSupport {
    /// Creates a pending user and returns their id and the token of their invitation.
    static func invited(_ world: TestWorld, _ email: String) async throws -> (id: String, token: String) {
        let id = try await world.createUsers([email])[0]
        let transport = RecordingTransport()
        try await world.worker(transport).processDue()
        let mail = try #require(transport.sent.first { $0.to == email })
        return (id, try #require(MailText.token(mail)))
    }

    @Test(
        "accepting an invitation with JSON holding id, isOwner, status inactive, createdAt, tenant, email and roles activates only the invited user")
    func acceptWithJSON() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let (id, token) = try await Self.invited(world, "invited@example.com")
            let before = try await world.request(.get, "/tenants/users/\(id)").object
            let since = world.clock.now()
            let extra = Self.forbidden(world, status: "inactive").merging([
                "email": "evil@example.com", "roles": [admin], "groups": [String](),
            ]) { $1 }
            let reply = try await world.request(
                .post, "/invitations/\(token)/accept", auth: .none, json: Self.with(["firstName": "Ada", "lastName": "Lovelace"], extra))
            let applied = Self.accepted(reply, .ok, "accept")
            if applied {
                Self.expectUser(reply.object, id: id, status: "active", createdAt: before["createdAt"] as? String, since: since, "accept answer")
                #expect(reply.object["email"] as? String == "invited@example.com")
                #expect(Self.roleTypes(reply.object) == ["DEFAULT"])
            }
            let read = try await world.request(.get, "/tenants/users/\(id)").object
            Self.expectUser(
                read, id: id, status: applied ? "active" : "pending", createdAt: before["createdAt"] as? String, since: applied ? since : 0,
                "read back")
            #expect(read["email"] as? String == "invited@example.com")
            #expect(Self.roleTypes(read) == ["DEFAULT"])
            try await Self.expectOnlyInTenantA(world, "/tenants/users/\(id)")
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("accepting an invitation with a form holding id, isOwner, status, createdAt and tenant activates only the invited user")
    func acceptWithForm() async throws {
        try await withWorld { world in
            let (id, token) = try await Self.invited(world, "former@example.com")
            let before = try await world.request(.get, "/tenants/users/\(id)").object
            let since = world.clock.now()
            let fields = [
                "firstName=Grace", "lastName=Hopper", "id=\(Self.foreignId)", "isOwner=true", "status=inactive",
                "createdAt=2001-01-01T00%3A00%3A00Z", "tenant=\(world.b.id)", "tenantId=\(world.b.id)", "email=evil%40example.com",
            ]
            let reply = try await world.request(
                .post, "/invitations/\(token)/accept", auth: .none, rawBody: fields.joined(separator: "&"),
                headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"]
            )
            let applied = reply.status == .ok
            if !applied { #expect(reply.status == .badRequest, "form accept: \(reply.status.code) \(reply.text)") }
            let read = try await world.request(.get, "/tenants/users/\(id)").object
            Self.expectUser(
                read, id: id, status: applied ? "active" : "pending", createdAt: before["createdAt"] as? String, since: applied ? since : 0,
                "read back")
            #expect(read["email"] as? String == "former@example.com")
            #expect(read["firstName"] as? String == (applied ? "Grace" : nil))
            try await Self.expectOnlyInTenantA(world, "/tenants/users/\(id)")
            try await Self.expectTenantBUntouched(world)
        }
    }
}
