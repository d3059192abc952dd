import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import Cipherscale

@Suite("SMTP client: authentication")
struct SMTPClientAuthenticationTests: SMTPClientTestSupport {
    @Test("AUTH PLAIN sends base64 of NUL, user, NUL, password when the server offers PLAIN")
    func authPlain() async throws {
        let server = try await FakeSMTPServer.start(
            [
                .send("220 mx.example ESMTP"),
                .expect("EHLO localhost"),
                .send("250-mx.example\n250-AUTH LOGIN PLAIN\n250 SIZE 1000"),
                .expect("AUTH PLAIN AHVzZXJAZXhhbXBsZS5jb20AczNjcsOpdDpALw=="),
                .send("235 2.7.0 Authentication successful"),
            ] + acceptedTransaction() + quit)
        let client = makeClient(port: server.port, username: "user@example.com", password: "s3crét:@/")
        try await client.send(SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: simpleMessage))
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(transcript.unfinishedSteps == 0)
    }

    @Test("AUTH LOGIN answers the two 334 prompts with base64 user and password when only LOGIN is offered")
    func authLogin() async throws {
        let server = try await FakeSMTPServer.start(
            [
                .send("220 mx.example ESMTP"),
                .expect("EHLO localhost"),
                .send("250-mx.example\n250 AUTH=LOGIN"),
                .expect("AUTH LOGIN"), .send("334 VXNlcm5hbWU6"),
                .expect("dXNlckBleGFtcGxlLmNvbQ=="), .send("334 UGFzc3dvcmQ6"),
                .expect("czNjcsOpdDpALw=="), .send("235 2.7.0 OK"),
            ] + acceptedTransaction() + quit)
        let client = makeClient(port: server.port, username: "user@example.com", password: "s3crét:@/")
        try await client.send(SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: simpleMessage))
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(transcript.unfinishedSteps == 0)
    }

    @Test("rejected credentials fail the batch for a retry (the settings are at fault, not the messages), without the password in the error")
    func authRejected() async throws {
        let server = try await FakeSMTPServer.start(
            greetingAndHello.dropLast() + [
                .send("250-mx.example\n250 AUTH PLAIN"),
                .expect("AUTH PLAIN AHVzZXIAaHVudGVyMg=="), .send("535 5.7.8 Authentication credentials invalid"),
            ] + quit)
        let results = await makeClient(port: server.port, username: "user", password: "hunter2")
            .send([SMTPEnvelope(from: "s@example.com", recipients: ["a@example.com"], message: "x")])
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        guard case .failure(let error) = results[0] else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == 535)
        #expect(!error.isPermanent)
        #expect(!error.message.contains("hunter2") && !error.message.contains("AHVzZXIAaHVudGVyMg=="))
        #expect(!String(describing: error).contains("hunter2"))
    }
}
