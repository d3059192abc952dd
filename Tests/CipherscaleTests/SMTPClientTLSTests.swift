import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import Cipherscale

@Suite("SMTP client: TLS")
struct SMTPClientTLSTests: SMTPClientTestSupport {
    @Test("STARTTLS is used when offered: the client upgrades, verifies the certificate, says EHLO again and authenticates inside TLS")
    func startTLS() async throws {
        let server = try await FakeSMTPServer.start(
            [
                .send("220 mx.example ESMTP"),
                .expect("EHLO localhost"), .send("250-mx.example\n250-STARTTLS\n250 SIZE 1000"),
                .expect("STARTTLS"), .send("220 2.0.0 Ready to start TLS"), .startTLS,
                .expect("EHLO localhost"), .send("250-mx.example\n250 AUTH PLAIN LOGIN"),
                .expect("AUTH PLAIN AHVzZXIAc2VjcmV0"), .send("235 2.7.0 OK"),
            ] + acceptedTransaction() + quit)
        let client = makeClient(port: server.port, host: "localhost", username: "user", password: "secret", tls: try TestCertificate.trustingClient())
        try await client.send(SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: simpleMessage))
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(transcript.unfinishedSteps == 0)
    }

    @Test("STARTTLS fails as transient when the server's certificate is not trusted")
    func startTLSUntrusted() async throws {
        let server = try await FakeSMTPServer.start([
            .send("220 mx.example ESMTP"),
            .expect("EHLO localhost"), .send("250-mx.example\n250 STARTTLS"),
            .expect("STARTTLS"), .send("220 2.0.0 Ready to start TLS"), .startTLS, .silence,
        ])
        let results = await makeClient(port: server.port, host: "localhost")
            .send([SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: simpleMessage)])
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        guard case .failure(let error) = results[0] else {
            Issue.record("expected a failure")
            return
        }
        #expect(!error.isPermanent)
        #expect(!transcript.received.contains("MAIL FROM"))
    }

    @Test("plaintext sent after the 220 to STARTTLS is refused rather than read as if it were encrypted")
    func startTLSInjection() async throws {
        let server = try await FakeSMTPServer.start([
            .send("220 mx.example ESMTP"),
            .expect("EHLO localhost"), .send("250-mx.example\n250 STARTTLS"),
            .expect("STARTTLS"), .send("220 2.0.0 Ready to start TLS\n250-injected\n250 AUTH PLAIN"), .silence,
        ])
        let results = await makeClient(port: server.port, host: "localhost", tls: try TestCertificate.trustingClient())
            .send([SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: simpleMessage)])
        _ = try await server.finish()
        guard case .failure(let error) = results[0] else {
            Issue.record("expected a failure")
            return
        }
        #expect(!error.isPermanent)
        #expect(error.message.contains("in clear"))
    }

    @Test("with security set to plain, an offered STARTTLS is not used")
    func plainIgnoresStartTLS() async throws {
        let server = try await FakeSMTPServer.start(
            greetingAndHello.dropLast() + [.send("250-mx.example\n250 STARTTLS")] + acceptedTransaction() + quit)
        try await makeClient(port: server.port, security: .plain).send(
            SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: simpleMessage))
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(transcript.unfinishedSteps == 0)
    }

    @Test("implicit TLS (smtps) speaks TLS from the first byte")
    func implicitTLS() async throws {
        let server = try await FakeSMTPServer.start(greetingAndHello + acceptedTransaction() + quit, implicitTLS: true)
        let client = makeClient(port: server.port, security: .implicitTLS, tls: try TestCertificate.trustingClient())
        try await client.send(SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: simpleMessage))
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(transcript.unfinishedSteps == 0)
    }
}
