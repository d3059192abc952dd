import Foundation
import HTTPTypes
import NIOSSL
import Testing

@testable import Cipherscale

/// STARTTLS and implicit TLS against aiosmtpd with a throwaway certificate (set up by `scripts/test.sh`).
@Suite("SMTP over TLS with a real server", .enabled(if: ProcessInfo.processInfo.environment["CIPHERSCALE_TEST_SMTP_CA"] != nil))
struct SMTPTLSIntegrationTests {
    let environment = ProcessInfo.processInfo.environment

    func arrived(in maildir: String, subject: String) -> Bool {
        let folder = URL(fileURLWithPath: maildir).appendingPathComponent("new")
        let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
        return files.contains { (try? String(contentsOf: $0, encoding: .utf8))?.contains(subject) == true }
    }

    @Test(
        "mail goes through STARTTLS and smtps when the relay's CA is trusted, and an untrusted certificate is refused",
        arguments: [
            ("CIPHERSCALE_TEST_STARTTLS_URL", "CIPHERSCALE_TEST_STARTTLS_MAILDIR"), ("CIPHERSCALE_TEST_SMTPS_URL", "CIPHERSCALE_TEST_SMTPS_MAILDIR"),
        ])
    func tlsDelivery(urlVariable: String, maildirVariable: String) async throws {
        let url = try #require(environment[urlVariable])
        let maildir = try #require(environment[maildirVariable])
        var configuration = try SMTPConfiguration.parse(url)
        configuration.timeout = .seconds(10)
        let subject = "TLS check \(UUID().uuidString)"
        let envelope = SMTPEnvelope(
            from: "sender@directory.example", recipients: ["tls@directory.example"],
            message: "From: <sender@directory.example>\nTo: <tls@directory.example>\nSubject: \(subject)\n\nOver TLS.\n"
        )

        // The throwaway certificate is not in the system's trust store: refused, and worth retrying later.
        do {
            try await SMTPClient(configuration: configuration).send(envelope)
            Issue.record("an untrusted certificate was accepted")
        } catch {
            #expect(!error.isPermanent)
        }
        #expect(!arrived(in: maildir, subject: subject))

        configuration.tls.trustRoots = .file(try #require(environment["CIPHERSCALE_TEST_SMTP_CA"]))
        try await SMTPClient(configuration: configuration).send(envelope)
        var found = false
        for _ in 0..<50 where !found {
            found = arrived(in: maildir, subject: subject)
            if !found { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(found)
    }
}
