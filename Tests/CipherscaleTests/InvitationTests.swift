import Foundation
import HTTPTypes
import Logging
import SQLKit
import Synchronization
import Testing

@testable import Cipherscale

@Suite("Invitations")
struct InvitationTests {
    @Test("every created user gets one well-formed message whose link works, sent once")
    func deliveryRound() async throws {
        try await withWorld { world in
            let ids = try await world.createUsers(["one@example.com", "two@example.com", "three@example.com"])
            let transport = RecordingTransport()
            let worker = world.worker(transport)
            #expect(try await worker.processDue() == 3)
            #expect(try await worker.processDue() == 0)
            let mails = transport.sent
            #expect(Set(mails.map(\.to)) == ["one@example.com", "two@example.com", "three@example.com"])
            #expect(Set(mails.map(\.messageId)).count == 3)
            for mail in mails {
                #expect(mail.from == "invites@directory.example")
                #expect(MailText.header("Message-ID", in: mail.data) == "<\(mail.messageId)>")
                #expect(MailText.header("MIME-Version", in: mail.data) == "1.0")
                #expect(MailText.header("Content-Type", in: mail.data)?.hasPrefix("multipart/alternative; boundary=") == true)
                #expect(MailText.header("Subject", in: mail.data) == "You are invited to join Tenant A on Cipherscale")
                let parts = MailText.parts(mail.data)
                #expect(parts.count == 2)
                #expect(parts.allSatisfy { $0.contains("Tenant A") })
                #expect(parts.last?.contains("<a href=\"https://directory.example/invitations/") == true)
                let token = try #require(MailText.token(mail))
                #expect(token.count == 43)
                let lookup = try await world.request(.get, "/invitations/\(token)", auth: .none)
                #expect(lookup.status == .ok)
                #expect(lookup.object["email"] as? String == mail.to)
                #expect((lookup.object["tenant"] as? [String: Any])?["name"] as? String == "Tenant A")
            }
            let state = try await world.request(.get, "/tenants/users/\(ids[0])/invitation")
            #expect(state.status == .ok)
            #expect(state.object["status"] as? String == "pending")
            let delivery = state.object["delivery"] as? [String: Any]
            #expect(delivery?["status"] as? String == "sent")
            #expect(delivery?["attempts"] as? Int == 1)
            #expect(delivery?["deliveredAt"] is String)
            // Only the token's hash is stored.
            let token = try #require(MailText.token(mails[0]))
            let stored = try await world.pool.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM invitations WHERE token_hash = \(bind: token)").first()!.decode(column: "n", as: Int.self)
            }
            #expect(stored == 0)
        }
    }

    @Test("accepting with JSON activates the user with their names and uses the token up")
    func acceptWithJSON() async throws {
        try await withWorld { world in
            let id = try await world.createUsers(["accept@example.com"])[0]
            let transport = RecordingTransport()
            try await world.worker(transport).processDue()
            let token = try #require(MailText.token(transport.sent[0]))
            let reply = try await world.request(
                .post, "/invitations/\(token)/accept", auth: .none, json: ["firstName": "Ada", "lastName": "Lovelace"])
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.object["status"] as? String == "active")
            // The answer carries the user's ETag, the one a GET of the user answers.
            let tag = try #require(reply.headers[.eTag])
            #expect(try await world.request(.get, "/tenants/users/\(id)").headers[.eTag] == tag)
            #expect(reply.object["firstName"] as? String == "Ada")
            #expect(reply.object["id"] as? String == id)
            try await world.request(.get, "/invitations/\(token)", auth: .none).expectProblem(.conflict)
            try await world.request(.post, "/invitations/\(token)/accept", auth: .none, json: ["firstName": "A", "lastName": "B"]).expectProblem(
                .conflict)
            let state = try await world.request(.get, "/tenants/users/\(id)/invitation")
            #expect(state.object["status"] as? String == "accepted")
            #expect(state.object["acceptedAt"] is String)
            // Deactivating and reactivating now restores active, not pending.
            _ = try await world.request(.patch, "/tenants/users/\(id)/deactivate")
            #expect(try await world.request(.post, "/tenants/users/\(id)/reactivate").object["status"] as? String == "active")
        }
    }

    @Test("the accept page is an HTML form that posts to the same path, and a form post activates the user")
    func acceptWithForm() async throws {
        try await withWorld { world in
            _ = try await world.createUsers(["form<x>@example.com".replacingOccurrences(of: "<x>", with: "")])
            let transport = RecordingTransport()
            try await world.worker(transport).processDue()
            let token = try #require(MailText.token(transport.sent[0]))
            let page = try await world.request(.get, "/invitations/\(token)/accept", auth: .none, headers: ["Accept": "text/html"])
            #expect(page.status == .ok)
            #expect(page.contentType?.hasPrefix("text/html") == true)
            #expect(page.text.contains("<form method=\"post\">"))
            #expect(page.text.contains("name=\"firstName\"") && page.text.contains("name=\"lastName\""))
            #expect(page.text.contains("form@example.com"))
            let posted = try await world.request(
                .post, "/invitations/\(token)/accept", auth: .none, rawBody: "firstName=Grace&lastName=Hopper+Jr",
                headers: ["Content-Type": "application/x-www-form-urlencoded"]
            )
            #expect(posted.status == .ok, "\(posted.text)")
            #expect(posted.contentType?.hasPrefix("text/html") == true)
            #expect(posted.text.contains("Welcome, Grace"))
            let users = try await world.request(.get, "/tenants/users?filter[email]=form@example.com")
            let user = (users.object["data"] as? [[String: Any]])?.first
            #expect(user?["status"] as? String == "active")
            #expect(user?["lastName"] as? String == "Hopper Jr")
            let used = try await world.request(.get, "/invitations/\(token)/accept", auth: .none)
            #expect(used.status == .conflict)
            #expect(used.contentType?.hasPrefix("text/html") == true)
            let unknown = try await world.request(.get, "/invitations/\(String(repeating: "x", count: 43))/accept", auth: .none)
            #expect(unknown.status == .notFound)
        }
    }

    @Test("names are required to accept, and an unknown token is 404")
    func acceptNeedsNames() async throws {
        try await withWorld { world in
            _ = try await world.createUsers(["names@example.com"])
            let transport = RecordingTransport()
            try await world.worker(transport).processDue()
            let token = try #require(MailText.token(transport.sent[0]))
            let reply = try await world.request(.post, "/invitations/\(token)/accept", auth: .none, json: ["firstName": " ", "lastName": ""])
            reply.expectProblem(.badRequest)
            #expect(Set(reply.pointers) == ["/firstName", "/lastName"])
            try await world.request(.post, "/invitations/\(token)/accept", auth: .none, json: ["firstName": "A"]).expectProblem(.badRequest)
            try await world.request(.get, "/invitations/nonsense", auth: .none).expectProblem(.notFound)
            try await world.request(.post, "/invitations/nonsense/accept", auth: .none, json: ["firstName": "A", "lastName": "B"]).expectProblem(
                .notFound)
            #expect(try await world.request(.get, "/invitations/\(token)", auth: .none).status == .ok)
        }
    }

    @Test("re-inviting supersedes the old link and cancels its unsent message")
    func reinviteSupersedes() async throws {
        try await withWorld { world in
            let id = try await world.createUsers(["again@example.com"])[0]
            let transport = RecordingTransport()
            let worker = world.worker(transport)
            try await worker.processDue()
            let oldToken = try #require(MailText.token(transport.sent[0]))
            #expect(try await world.request(.post, "/tenants/users/\(id)/invite").status == .accepted)
            #expect(try await world.request(.post, "/tenants/users/\(id)/invite").status == .accepted)
            try await worker.processDue()
            // The second re-invite superseded the first before it went out: only the newest is sent.
            #expect(transport.sent.count == 2)
            let newToken = try #require(MailText.token(transport.sent[1]))
            #expect(newToken != oldToken)
            try await world.request(.get, "/invitations/\(oldToken)", auth: .none).expectProblem(.conflict)
            #expect(try await world.request(.get, "/invitations/\(newToken)", auth: .none).status == .ok)
            let statuses = try await world.pool.read { db in
                try await db.raw("SELECT status FROM outbox_messages WHERE recipient = 'again@example.com' ORDER BY created_at, id").all()
                    .map { try $0.decode(column: "status", as: String.self) }
            }
            #expect(statuses == ["sent", "cancelled", "sent"])
        }
    }

    @Test("an expired link is 410")
    func expired() async throws {
        try await withWorld { world in
            let id = try await world.createUsers(["late@example.com"])[0]
            let transport = RecordingTransport()
            try await world.worker(transport).processDue()
            let token = try #require(MailText.token(transport.sent[0]))
            // A week passes.
            world.clock.advance(by: 7 * 24 * 3600 * 1000)
            try await world.request(.get, "/invitations/\(token)", auth: .none).expectProblem(.gone)
            try await world.request(.post, "/invitations/\(token)/accept", auth: .none, json: ["firstName": "A", "lastName": "B"]).expectProblem(
                .gone)
            #expect(try await world.request(.get, "/invitations/\(token)/accept", auth: .none).status == .gone)
            #expect(try await world.request(.get, "/tenants/users/\(id)/invitation").object["status"] as? String == "expired")
        }
    }

    @Test("a temporary failure is retried later with backoff, and given up after the last attempt")
    func transientFailures() async throws {
        try await withWorld { world in
            let id = try await world.createUsers(["retry@example.com"])[0]
            let transport = RecordingTransport()
            transport.fail(with: .transient("421 try later"))
            let worker = world.worker(transport, retryBase: 1, maxAttempts: 3)
            try await worker.processDue()
            var delivery = try await world.request(.get, "/tenants/users/\(id)/invitation").object["delivery"] as? [String: Any]
            #expect(delivery?["status"] as? String == "queued")
            #expect(delivery?["attempts"] as? Int == 1)
            #expect(delivery?["lastError"] as? String == "421 try later")
            #expect(delivery?["nextAttemptAt"] is String)
            try await Task.sleep(for: .milliseconds(20))
            try await worker.processDue()
            try await Task.sleep(for: .milliseconds(20))
            try await worker.processDue()
            delivery = try await world.request(.get, "/tenants/users/\(id)/invitation").object["delivery"] as? [String: Any]
            #expect(delivery?["status"] as? String == "failed")
            #expect(delivery?["attempts"] as? Int == 3)
            #expect((delivery?["lastError"] as? String)?.contains("421 try later") == true)
            #expect(transport.sent.isEmpty)

            #expect(DeliverySettings().retryPolicy.delay(afterAttempts: 1) == 30_000)
            #expect(DeliverySettings().retryPolicy.delay(afterAttempts: 3) == 120_000)
            #expect(DeliverySettings().retryPolicy.delay(afterAttempts: 40) == 3_600_000)
        }
    }

    @Test("a permanent failure is recorded on the invitation and never retried")
    func permanentFailure() async throws {
        try await withWorld { world in
            let id = try await world.createUsers(["nobody@example.com"])[0]
            let transport = RecordingTransport()
            transport.fail(with: .permanent("550 no such mailbox"))
            let worker = world.worker(transport, retryBase: 1)
            try await worker.processDue()
            transport.fail(with: nil)
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await worker.processDue() == 0)
            let delivery = try await world.request(.get, "/tenants/users/\(id)/invitation").object["delivery"] as? [String: Any]
            #expect(delivery?["status"] as? String == "failed")
            #expect(delivery?["lastError"] as? String == "550 no such mailbox")
            #expect(transport.sent.isEmpty)
        }
    }

    @Test("workers running side by side deliver each message exactly once")
    func concurrentWorkers() async throws {
        try await withWorld { world in
            _ = try await world.createUsers((0..<60).map { "parallel\($0)@example.com" })
            let transport = RecordingTransport()
            let workers = (0..<4).map { _ in world.worker(transport) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in workers {
                    group.addTask { while try await worker.processDue() > 0 {} }
                }
                try await group.waitForAll()
            }
            #expect(transport.sent.count == 60)
            #expect(Set(transport.sent.map(\.to)).count == 60)
        }
    }

    @Test("a message claimed by a worker that died is sent again after its lease, with the same Message-ID")
    func leaseExpiry() async throws {
        try await withWorld { world in
            _ = try await world.createUsers(["crash@example.com"])
            // A worker claims the message and dies before recording anything.
            let claimed = try await SQLJobQueue(store: world.store).claim(kind: "invitation", limit: 10, lease: 60_000, now: world.clock.now())
            #expect(claimed.count == 1)
            let transport = RecordingTransport()
            let worker = world.worker(transport)
            #expect(try await worker.processDue() == 0)
            // The lease runs out.
            world.clock.advance(by: 60_001)
            #expect(try await worker.processDue() == 1)
            #expect(transport.sent.map(\.messageId) == ["\(claimed[0].id)@directory.example"])
            #expect(try await worker.processDue() == 0)
        }
    }

    @Test("invitation links are rate-limited per client address with 429 and Retry-After")
    func rateLimited() async throws {
        try await withWorld(invitationRateLimit: 3) { world in
            for _ in 0..<3 { try await world.request(.get, "/invitations/nonsense", auth: .none).expectProblem(.notFound) }
            let limited = try await world.request(.get, "/invitations/nonsense", auth: .none)
            limited.expectProblem(.tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            // The API itself is not affected.
            #expect(try await world.request(.get, "/tenants/roles").status == .ok)
        }
    }

    @Test("headers with non-ASCII text are RFC 2047 encoded without splitting characters")
    func encodedHeaders() {
        let subject = InvitationMessage.encodeHeader("Einladung zu Müller & Söhne – Zürich Niederlassung für Verkäufe")
        let words = subject.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var decoded = ""
        for word in words {
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?=") && word.count <= 75)
            let payload = word.dropFirst(10).dropLast(2)
            decoded += String(data: Data(base64Encoded: String(payload))!, encoding: .utf8)!
        }
        #expect(decoded == "Einladung zu Müller & Söhne – Zürich Niederlassung für Verkäufe")
        #expect(InvitationMessage.encodeHeader("Plain ASCII") == "Plain ASCII")
        #expect(InvitationMessage.encodeAddressHeader("Zoë <z@example.com>").hasPrefix("=?UTF-8?B?"))
    }
}
