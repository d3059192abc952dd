import Foundation
import HTTPTypes
import NIOSSL
import Testing

@testable import Cipherscale

/// Against a real, independent SMTP server (aiosmtpd, started by `scripts/test.sh`, which sets
/// `CIPHERSCALE_TEST_SMTP_URL` and `CIPHERSCALE_TEST_MAILDIR`). `scripts/test.sh` always provides
/// them, so the README's test command always runs this suite.
@Suite("Invitations through a real SMTP server", .enabled(if: ProcessInfo.processInfo.environment["CIPHERSCALE_TEST_SMTP_URL"] != nil))
struct SMTPIntegrationTests {
    let smtpURL = ProcessInfo.processInfo.environment["CIPHERSCALE_TEST_SMTP_URL"] ?? ""
    let maildir = ProcessInfo.processInfo.environment["CIPHERSCALE_TEST_MAILDIR"] ?? ""

    /// Messages in the sink's Maildir addressed to `domain`, as text.
    func received(for domain: String) throws -> [String] {
        let folder = URL(fileURLWithPath: maildir).appendingPathComponent("new")
        let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
        return try files.map { try String(contentsOf: $0, encoding: .utf8) }.filter { $0.contains("@\(domain)>") }
    }

    @Test("a batch of 100 invited users produces 100 distinct delivered messages whose links work")
    func hundredInvitations() async throws {
        try await withWorld { world in
            let domain = "batch-\(UUID().uuidString.prefix(8).lowercased()).example"
            let emails = (0..<100).map { "person\($0)@\(domain)" }
            _ = try await world.createUsers(emails)
            let worker = world.worker(SMTPMailTransport(configuration: try SMTPConfiguration.parse(smtpURL)))
            while try await worker.processDue() > 0 {}

            var messages: [String] = []
            for _ in 0..<100 {
                messages = try received(for: domain)
                if messages.count >= 100 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(messages.count == 100)
            // aiosmtpd writes LF line endings; normalise so the parsing helpers see CRLF.
            let normalised = messages.map { $0.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n") }
            let recipients = Set(normalised.compactMap { MailText.header("To", in: $0) })
            #expect(recipients == Set(emails.map { "<\($0)>" }))
            let ids = Set(normalised.compactMap { MailText.header("Message-ID", in: $0) })
            #expect(ids.count == 100)
            var tokens: [String: String] = [:]
            for text in normalised {
                #expect(MailText.header("MIME-Version", in: text) == "1.0")
                let mail = OutgoingMail(messageId: "", from: "", to: "", data: text)
                let token = try #require(MailText.token(mail))
                tokens[MailText.header("To", in: text)!] = token
            }
            #expect(Set(tokens.values).count == 100)

            // Following one link activates that user.
            let first = try #require(tokens["<person0@\(domain)>"])
            let accepted = try await world.request(
                .post, "/invitations/\(first)/accept", auth: .none, json: ["firstName": "Pat", "lastName": "Zero"])
            #expect(accepted.status == .ok)
            #expect(accepted.object["status"] as? String == "active")

            // Re-inviting another kills their old link; the new message arrives and its link works.
            let second = try #require(tokens["<person1@\(domain)>"])
            let users = try await world.request(.get, "/tenants/users?filter[email]=person1@\(domain)")
            let id = try #require((users.object["data"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await world.request(.post, "/tenants/users/\(id)/invite").status == .accepted)
            while try await worker.processDue() > 0 {}
            try await world.request(.get, "/invitations/\(second)", auth: .none).expectProblem(.conflict)
            var fresh: String?
            for _ in 0..<100 {
                let texts = try received(for: domain).map {
                    $0.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
                }
                fresh = texts.filter { MailText.header("To", in: $0) == "<person1@\(domain)>" }
                    .compactMap { MailText.token(OutgoingMail(messageId: "", from: "", to: "", data: $0)) }.first { $0 != second }
                if fresh != nil { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let newToken = try #require(fresh)
            #expect(try await world.request(.get, "/invitations/\(newToken)", auth: .none).status == .ok)
        }
    }
}
