import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import Cipherscale

@Suite("SMTP client: sessions")
struct SMTPClientSessionTests: SMTPClientTestSupport {
    @Test("a plain session sends EHLO, MAIL, two RCPTs, DATA and QUIT, with every line ending CRLF on the wire")
    func plainSession() async throws {
        let server = try await FakeSMTPServer.start(
            greetingAndHello + acceptedTransaction(to: ["a@example.com", "b@example.com"]) + quit
        )
        let message = "From: <sender@example.com>\nTo: <a@example.com>, <b@example.com>\r\nSubject: Hi\n\nline one\r\nline two\rline three"
        try await makeClient(port: server.port).send(
            SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com", "b@example.com"], message: message))
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(transcript.unfinishedSteps == 0)
        #expect(
            transcript.received == """
                EHLO localhost\r
                MAIL FROM:<sender@example.com>\r
                RCPT TO:<a@example.com>\r
                RCPT TO:<b@example.com>\r
                DATA\r
                From: <sender@example.com>\r
                To: <a@example.com>, <b@example.com>\r
                Subject: Hi\r
                \r
                line one\r
                line two\r
                line three\r
                .\r
                QUIT\r

                """)
    }

    @Test("a multi-line EHLO reply is read as one reply and its keywords are used")
    func multiLineEHLO() async throws {
        let server = try await FakeSMTPServer.start(
            [
                .send("220-mx.example ESMTP\n220-a greeting on\n220 three lines"),
                .expect("EHLO localhost"),
                .send("250-mx.example greets localhost\n250-SIZE 10240000\n250-8BITMIME\n250-PIPELINING\n250 HELP"),
                .expect("MAIL FROM:<sender@example.com> BODY=8BITMIME"), .send("250 OK"),
                .expect("RCPT TO:<a@example.com>"), .send("250 OK"),
                .expect("DATA"), .send("354 go ahead"), .expectData,
                .send("250-queued\n250 as 42"),
            ] + quit)
        try await makeClient(port: server.port).send(
            SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: "Subject: Grüße\n\nÄrger\n"))
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(transcript.unfinishedSteps == 0)
        #expect(transcript.received.contains("Subject: Grüße\r\n\r\nÄrger\r\n.\r\nQUIT\r\n"))
    }

    @Test("EHLO keywords are collected with their parameters, including the old AUTH= form")
    func ehloKeywords() {
        let reply = SMTPReply(code: 250, lines: ["mx.example hello", "SIZE 1000", "auth plain LOGIN", "AUTH=CRAM-MD5", "STARTTLS", "8BITMIME"])
        let extensions = SMTPExtensions(ehloReply: reply)
        #expect(extensions.offers("STARTTLS"))
        #expect(extensions.offers("8BITMIME"))
        #expect(!extensions.offers("MX.EXAMPLE"))
        #expect(extensions.parameters(of: "AUTH") == ["PLAIN", "LOGIN", "CRAM-MD5"])
        #expect(extensions.parameters(of: "SIZE") == ["1000"])
        #expect(extensions.parameters(of: "PIPELINING") == [])
    }

    @Test("lines starting with a dot are dot-stuffed and the message ends with CRLF.CRLF")
    func dotStuffing() async throws {
        let server = try await FakeSMTPServer.start(greetingAndHello + acceptedTransaction() + quit)
        let message = "Subject: dots\n\n.\n.leading\nmiddle . dot\n..two\nlast line."
        try await makeClient(port: server.port).send(SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: message))
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(
            transcript.received.hasSuffix("DATA\r\nSubject: dots\r\n\r\n..\r\n..leading\r\nmiddle . dot\r\n...two\r\nlast line.\r\n.\r\nQUIT\r\n"))
    }

    @Test(
        "the DATA encoding normalises every kind of line ending and never doubles the final CRLF",
        arguments: [
            ("", ".\r\n"),
            ("a", "a\r\n.\r\n"),
            ("a\n", "a\r\n.\r\n"),
            ("a\r\n", "a\r\n.\r\n"),
            ("a\r\nb\nc\rd", "a\r\nb\r\nc\r\nd\r\n.\r\n"),
            ("a\n\n\nb", "a\r\n\r\n\r\nb\r\n.\r\n"),
            ("a\r\r\nb", "a\r\n\r\nb\r\n.\r\n"),
            (".", "..\r\n.\r\n"),
            ("\r\n.\r\n", "\r\n..\r\n.\r\n"),
            ("x\n.y\r.z\r\n.", "x\r\n..y\r\n..z\r\n..\r\n.\r\n"),
        ])
    func dataEncoding(message: String, wire: String) {
        #expect(String(buffer: SMTPClient.encodeData(message)) == wire)
    }

    @Test("several envelopes share one connection with RSET between them, and one permanent failure spares the others")
    func severalEnvelopes() async throws {
        let server = try await FakeSMTPServer.start(
            greetingAndHello
                + acceptedTransaction(to: ["one@example.com"])
                + [.expect("RSET"), .send("250 2.0.0 OK")]
                + [
                    .expect("MAIL FROM:<sender@example.com>"), .send("250 OK"),
                    .expect("RCPT TO:<two@example.com>"), .send("550 5.1.1 no such user"),
                ]
                + [.expect("RSET"), .send("250 2.0.0 OK")]
                + acceptedTransaction(to: ["three@example.com"])
                + quit)
        let envelopes = ["one", "two", "three"].map {
            SMTPEnvelope(from: "sender@example.com", recipients: ["\($0)@example.com"], message: "Subject: \($0)\n\nHi \($0)\n")
        }
        let results = await makeClient(port: server.port).send(envelopes)
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(transcript.unfinishedSteps == 0)
        #expect(results.count == 3)
        #expect((try? results[0].get()) != nil)
        if case .failure(let error) = results[1] {
            #expect(error == .permanent(code: 550, message: "RCPT TO:<two@example.com> answered 550 5.1.1 no such user"))
        } else {
            Issue.record("expected the second envelope to fail")
        }
        #expect((try? results[2].get()) != nil)
        #expect(transcript.received.contains("Subject: one\r\n\r\nHi one\r\n.\r\nRSET\r\n"))
        #expect(transcript.received.contains("Subject: three\r\n\r\nHi three\r\n.\r\nQUIT\r\n"))
    }

    @Test("when EHLO is rejected the client falls back to HELO")
    func heloFallback() async throws {
        let server = try await FakeSMTPServer.start(
            [
                .send("220 old.example SMTP"),
                .expect("EHLO localhost"), .send("502 5.5.2 command not recognised"),
                .expect("HELO localhost"), .send("250 old.example"),
            ] + acceptedTransaction() + quit)
        try await makeClient(port: server.port).send(SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: simpleMessage))
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(transcript.unfinishedSteps == 0)
    }

    @Test("the null sender is sent as MAIL FROM:<>")
    func nullSender() async throws {
        let server = try await FakeSMTPServer.start(greetingAndHello + acceptedTransaction(from: "") + quit)
        try await makeClient(port: server.port).send(SMTPEnvelope(from: "", recipients: ["a@example.com"], message: "x"))
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
    }

    @Test("an empty batch opens no connection")
    func emptyBatch() async {
        #expect(await makeClient(port: 1).send([]).isEmpty)
    }
}
