import Foundation
import Logging
import Testing

@testable import Cipherscale

/// Mail without SMTP: the files a newcomer opens and the log line they read the link from.
@Suite("Mail without SMTP")
struct FileMailTransportTests {
    @Test("each message becomes <recipient>_<id>.eml and a readable .txt beside it, and its link is logged at info")
    func filesAndLink() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cipherscale-mail-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (logger, log) = RecordingLogHandler.logger()
        let transport = FileMailTransport(folder: folder.path, logger: logger)
        let message = InvitationMessage(from: "Cipherscale <no-reply@example.com>", publicBaseURL: "http://127.0.0.1:8080")
            .render(outboxId: "0190a1b2-c3d4", recipient: "ada@example.com", tenantName: "Acme", token: "tok123", expiresAt: 0)
        let results = await transport.deliver([message])
        #expect(results.count == 1)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["ada@example.com_0190a1b2-c3d4.eml", "ada@example.com_0190a1b2-c3d4.txt"])
        let text = try String(contentsOf: folder.appendingPathComponent(names[1]), encoding: .utf8)
        #expect(text.contains("To: ada@example.com"))
        #expect(text.contains("Subject: You are invited to join Acme on Cipherscale"))
        #expect(text.contains("http://127.0.0.1:8080/invitations/tok123/accept"))
        let eml = try String(contentsOf: folder.appendingPathComponent(names[0]), encoding: .utf8)
        #expect(eml.contains("Message-ID: <0190a1b2-c3d4@example.com>"))
        let line = try #require(log.lines.first { $0.message.contains("wrote invitation email") })
        #expect(line.level == .info)
        #expect(line.metadata["link"] == "http://127.0.0.1:8080/invitations/tok123/accept")
        #expect(line.metadata["to"] == "ada@example.com")

        // A retry of the same message replaces its files instead of adding new ones.
        _ = await transport.deliver([message])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 2)
    }
}
