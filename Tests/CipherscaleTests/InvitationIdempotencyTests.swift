import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// `Idempotency-Key` on an invitation's acceptance, which has no API key: keys are scoped to the invitation.
@Suite("Invitation acceptance: Idempotency-Key")
struct InvitationIdempotencyTests {
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    @Test("a retried acceptance with the same key and body is answered again, with the user's ETag, and runs once")
    func retriedAcceptanceReplays() async throws {
        try await withWorld { world in
            let (id, token) = try await InvitationMassAssignmentTests.invited(world, "retry@example.com")
            let body = ["firstName": "Ada", "lastName": "Lovelace"]
            let first = try await world.request(
                .post, "/invitations/\(token)/accept", auth: .none, json: body, headers: ["Idempotency-Key": "accept-1"])
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.headers[Self.replayed] == nil)
            let tag = try #require(first.headers[.eTag])
            #expect(try await world.request(.get, "/tenants/users/\(id)").headers[.eTag] == tag)

            // Without the key a second acceptance is refused (the token is used up); with it, the
            // first answer comes back as it was.
            try await world.request(.post, "/invitations/\(token)/accept", auth: .none, json: body).expectProblem(.conflict)
            let retry = try await world.request(
                .post, "/invitations/\(token)/accept", auth: .none, json: body, headers: ["Idempotency-Key": "accept-1"])
            #expect(retry.status == .ok)
            #expect(retry.text == first.text)
            #expect(retry.contentType == first.contentType)
            #expect(retry.headers[.eTag] == tag)
            #expect(retry.headers[Self.replayed] == "true")
            let events = try await world.request(.get, "/tenants/audit-events?action=user.accept-invitation").object
            #expect(events["total"] as? Int == 1)
        }
    }

    @Test("the same key with another body on the same link is 422; on another link it is a new request")
    func keyMismatchAndScope() async throws {
        try await withWorld { world in
            let (_, token) = try await InvitationMassAssignmentTests.invited(world, "first@example.com")
            let first = try await world.request(
                .post, "/invitations/\(token)/accept", auth: .none, json: ["firstName": "Ada", "lastName": "Lovelace"],
                headers: ["Idempotency-Key": "k"])
            #expect(first.status == .ok, "\(first.text)")
            try await world.request(
                .post, "/invitations/\(token)/accept", auth: .none, json: ["firstName": "Grace", "lastName": "Hopper"],
                headers: ["Idempotency-Key": "k"]
            ).expectProblem(.unprocessableContent)

            // The scope is the invitation: another person's link with the same key text is theirs alone.
            let (otherId, otherToken) = try await InvitationMassAssignmentTests.invited(world, "second@example.com")
            let other = try await world.request(
                .post, "/invitations/\(otherToken)/accept", auth: .none, json: ["firstName": "Alan", "lastName": "Turing"],
                headers: ["Idempotency-Key": "k"])
            #expect(other.status == .ok, "\(other.text)")
            #expect(other.headers[Self.replayed] == nil)
            #expect(other.object["id"] as? String == otherId)
            #expect(other.headers[.eTag] != nil)
        }
    }

    @Test("an invalid Idempotency-Key on an acceptance is 400 and accepts nothing")
    func invalidKey() async throws {
        try await withWorld { world in
            let (id, token) = try await InvitationMassAssignmentTests.invited(world, "invalid@example.com")
            try await world.request(
                .post, "/invitations/\(token)/accept", auth: .none, json: ["firstName": "Ada", "lastName": "Lovelace"],
                headers: ["Idempotency-Key": String(repeating: "x", count: 256)]
            ).expectProblem(.badRequest)
            #expect(try await world.request(.get, "/tenants/users/\(id)").object["status"] as? String == "pending")
        }
    }
}
