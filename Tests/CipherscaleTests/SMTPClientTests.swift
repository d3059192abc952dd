import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import Cipherscale

// MARK: - A scripted SMTP peer on loopback

/// One step of what the fake SMTP server does, in order.
enum PeerStep: Sendable {
    /// Sends reply lines; several lines are separated by `\n` in the text, and each goes out with CRLF.
    case send(String)
    /// Reads the next line from the client and records a mismatch unless it is exactly this text.
    case expect(String)
    /// Reads the message after `DATA`, up to and including the line `.`.
    case expectData
    /// Puts a TLS server handler in front of the pipeline (after a `220` to `STARTTLS`).
    case startTLS
    /// Sends these raw bytes as they are.
    case sendRaw(String)
    /// Stops answering; waits for the client to go away.
    case silence
    /// Closes the connection.
    case close
}

/// What the fake server saw on its one connection.
struct PeerTranscript: Sendable {
    /// Every byte the client sent (decrypted when TLS was on), as text.
    var received: String
    /// Lines that did not match the script.
    var mismatches: [String]
    /// How many script steps were never reached.
    var unfinishedSteps: Int
}

/// Plays a script against one client connection and records what the client sent.
final class ScriptedPeerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var steps: ArraySlice<PeerStep>
    private let tlsContext: NIOSSLContext?
    private let done: EventLoopPromise<PeerTranscript>
    private var pending = ByteBuffer()
    private var received: [UInt8] = []
    private var mismatches: [String] = []

    init(script: [PeerStep], tlsContext: NIOSSLContext?, done: EventLoopPromise<PeerTranscript>) {
        steps = script[...]
        self.tlsContext = tlsContext
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        advance(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received += bytes.readableBytesView
        pending.writeBuffer(&bytes)
        while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            var line = pending.readString(length: newline - pending.readerIndex) ?? ""
            pending.moveReaderIndex(forwardBy: 1)
            if line.hasSuffix("\r") { line.removeLast() }
            handle(line, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.succeed(PeerTranscript(received: String(decoding: received, as: UTF8.self), mismatches: mismatches, unfinishedSteps: steps.count))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func handle(_ line: String, context: ChannelHandlerContext) {
        switch steps.first {
        case .expect(let expected):
            if line != expected { mismatches.append("expected \(expected.debugDescription), received \(line.debugDescription)") }
            steps.removeFirst()
            advance(context: context)
        case .expectData:
            if line == "." {
                steps.removeFirst()
                advance(context: context)
            }
        default:
            mismatches.append("unexpected \(line.debugDescription)")
        }
    }

    private func advance(context: ChannelHandlerContext) {
        while let step = steps.first {
            switch step {
            case .send(let text):
                steps.removeFirst()
                let wire = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0 + "\r\n" }.joined()
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: wire)), promise: nil)
            case .sendRaw(let text):
                steps.removeFirst()
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
            case .startTLS:
                steps.removeFirst()
                guard let tlsContext else {
                    mismatches.append("the script starts TLS but the server has no certificate")
                    return
                }
                do {
                    try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext), position: .first)
                } catch {
                    mismatches.append("cannot start TLS: \(error)")
                }
            case .close:
                steps.removeFirst()
                context.close(promise: nil)
                return
            case .expect, .expectData, .silence:
                return
            }
        }
    }
}

/// Why the fake server has no transcript to give.
struct FakeServerStopped: Error {}

/// A one-connection fake SMTP server on 127.0.0.1 with a random port.
struct FakeSMTPServer: Sendable {
    /// The listening channel.
    let channel: any Channel
    /// Completed when the client's connection has closed (or failed when the server stops first).
    let done: EventLoopPromise<PeerTranscript>

    /// The port the server listens on.
    var port: Int { channel.localAddress?.port ?? 0 }

    /// Starts listening; `implicitTLS` wraps the connection in TLS from the first byte.
    static func start(_ script: [PeerStep], implicitTLS: Bool = false) async throws -> FakeSMTPServer {
        let group = MultiThreadedEventLoopGroup.singleton
        let done = group.next().makePromise(of: PeerTranscript.self)
        let tlsContext = try TestCertificate.serverContext()
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext))
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            ScriptedPeerHandler(script: script, tlsContext: tlsContext, done: done)
                        )
                    }
                }
                .bind(host: "127.0.0.1", port: 0)
                .get()
        } catch {
            done.fail(error)
            throw error
        }
        return FakeSMTPServer(channel: channel, done: done)
    }

    /// Waits (at most 10 s) for the client's connection to end, stops listening, and answers what was seen.
    func finish() async throws -> PeerTranscript {
        let done = done
        let timer = channel.eventLoop.scheduleTask(in: .seconds(10)) { done.fail(FakeServerStopped()) }
        defer { timer.cancel() }
        do {
            let transcript = try await done.futureResult.get()
            await stop()
            return transcript
        } catch {
            await stop()
            throw error
        }
    }

    /// Stops listening (a connection in progress goes on).
    func stop() async {
        done.fail(FakeServerStopped())
        try? await channel.close()
    }
}

/// A self-signed certificate for `localhost` and `127.0.0.1`, valid 2024–2124, for the TLS tests only.
enum TestCertificate {
    static let certificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIBiTCCAS+gAwIBAgIBATAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlsb2NhbGhv
        c3QwIBcNMjQwMTAxMDAwMDAwWhgPMjEyNDAxMDEwMDAwMDBaMBQxEjAQBgNVBAMM
        CWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABEbZpMZ/0AfBtdnL
        7WM/wYs7vyOmPRH+T5KPWmsv97LlU8o2oGaz4Q4tMNIEvqv5udfO1nppSKrMrMAH
        ssqGt9yjcDBuMBoGA1UdEQQTMBGCCWxvY2FsaG9zdIcEfwAAATAPBgNVHRMBAf8E
        BTADAQH/MAsGA1UdDwQEAwIChDATBgNVHSUEDDAKBggrBgEFBQcDATAdBgNVHQ4E
        FgQUKXipMkaqhcVm6xSB/vpOb1SedZ4wCgYIKoZIzj0EAwIDSAAwRQIgSPpKvSYx
        ohohBokJzP0E1in5GbM2B/RNqxOC3gC5y3cCIQDGQIc648Ovw2BnshIedKTOu0tx
        vO675KV4+LYCMWC1rQ==
        -----END CERTIFICATE-----
        """
    static let privateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjKLnyrFxF75ES1sa
        SRJDJIWSUK9/U/mfDDQHvObMuf2hRANCAARG2aTGf9AHwbXZy+1jP8GLO78jpj0R
        /k+Sj1prL/ey5VPKNqBms+EOLTDSBL6r+bnXztZ6aUiqzKzAB7LKhrfc
        -----END PRIVATE KEY-----
        """

    static func certificate() throws -> NIOSSLCertificate {
        try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem)
    }

    static func serverContext() throws -> NIOSSLContext {
        let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(try certificate())], privateKey: .privateKey(key))
        return try NIOSSLContext(configuration: configuration)
    }

    /// A client configuration that fully verifies the server against this certificate only.
    static func trustingClient() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try certificate()])
        return tls
    }
}

// MARK: - Tests

@Suite("SMTP client")
struct SMTPClientTests {
    /// A client for the fake server on `port`, with a short timeout so failures do not hang the suite.
    func makeClient(port: Int, host: String = "127.0.0.1", username: String? = nil, password: String? = nil,
                security: SMTPConfiguration.Security = .startTLSWhenOffered, timeout: Duration = .seconds(5),
                tls: TLSConfiguration = .makeClientConfiguration()) -> SMTPClient {
        SMTPClient(configuration: SMTPConfiguration(host: host, port: port, username: username, password: password,
                                                    security: security, timeout: timeout, tls: tls))
    }

    let simpleMessage = "Subject: Hello\nTo: <a@example.com>\n\nBody\n"

    /// The steps of one accepted message from `from` to `to`.
    func acceptedTransaction(from: String = "sender@example.com", to: [String] = ["a@example.com"]) -> [PeerStep] {
        [.expect("MAIL FROM:<\(from)>"), .send("250 2.1.0 OK")]
            + to.flatMap { [PeerStep.expect("RCPT TO:<\($0)>"), .send("250 2.1.5 OK")] }
            + [.expect("DATA"), .send("354 go ahead"), .expectData, .send("250 2.0.0 queued as 42")]
    }

    let greetingAndHello: [PeerStep] = [.send("220 mx.example ESMTP ready"), .expect("EHLO localhost"), .send("250 mx.example")]
    let quit: [PeerStep] = [.expect("QUIT"), .send("221 2.0.0 bye"), .close]

    @Test("a plain session sends EHLO, MAIL, two RCPTs, DATA and QUIT, with every line ending CRLF on the wire")
    func plainSession() async throws {
        let server = try await FakeSMTPServer.start(
            greetingAndHello + acceptedTransaction(to: ["a@example.com", "b@example.com"]) + quit
        )
        let message = "From: <sender@example.com>\nTo: <a@example.com>, <b@example.com>\r\nSubject: Hi\n\nline one\r\nline two\rline three"
        try await makeClient(port: server.port).send(SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com", "b@example.com"], message: message))
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(transcript.unfinishedSteps == 0)
        #expect(transcript.received == """
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
        let server = try await FakeSMTPServer.start([
            .send("220-mx.example ESMTP\n220-a greeting on\n220 three lines"),
            .expect("EHLO localhost"),
            .send("250-mx.example greets localhost\n250-SIZE 10240000\n250-8BITMIME\n250-PIPELINING\n250 HELP"),
            .expect("MAIL FROM:<sender@example.com> BODY=8BITMIME"), .send("250 OK"),
            .expect("RCPT TO:<a@example.com>"), .send("250 OK"),
            .expect("DATA"), .send("354 go ahead"), .expectData,
            .send("250-queued\n250 as 42"),
        ] + quit)
        try await makeClient(port: server.port).send(SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: "Subject: Grüße\n\nÄrger\n"))
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
        #expect(transcript.received.hasSuffix("DATA\r\nSubject: dots\r\n\r\n..\r\n..leading\r\nmiddle . dot\r\n...two\r\nlast line.\r\n.\r\nQUIT\r\n"))
    }

    @Test("the DATA encoding normalises every kind of line ending and never doubles the final CRLF", arguments: [
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

    @Test("AUTH PLAIN sends base64 of NUL, user, NUL, password when the server offers PLAIN")
    func authPlain() async throws {
        let server = try await FakeSMTPServer.start([
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
        let server = try await FakeSMTPServer.start([
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
        let server = try await FakeSMTPServer.start(greetingAndHello.dropLast() + [
            .send("250-mx.example\n250 AUTH PLAIN"),
            .expect("AUTH PLAIN AHVzZXIAaHVudGVyMg=="), .send("535 5.7.8 Authentication credentials invalid"),
        ] + quit)
        let results = await makeClient(port: server.port, username: "user", password: "hunter2")
            .send([SMTPEnvelope(from: "s@example.com", recipients: ["a@example.com"], message: "x")])
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        guard case .failure(let error) = results[0] else { Issue.record("expected a failure"); return }
        #expect(error.code == 535)
        #expect(!error.isPermanent)
        #expect(!error.message.contains("hunter2") && !error.message.contains("AHVzZXIAaHVudGVyMg=="))
        #expect(!String(describing: error).contains("hunter2"))
    }

    @Test("a 4xx reply to MAIL FROM is a transient failure carrying the code")
    func transientMailFrom() async throws {
        let server = try await FakeSMTPServer.start(greetingAndHello + [
            .expect("MAIL FROM:<sender@example.com>"), .send("451 4.3.0 Mail server temporarily rejected message"),
        ] + quit)
        let results = await makeClient(port: server.port).send([SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: simpleMessage)])
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(transcript.unfinishedSteps == 0)
        #expect(results.count == 1)
        guard case .failure(let error) = results[0] else { Issue.record("expected a failure"); return }
        #expect(error == .transient(code: 451, message: "MAIL FROM:<sender@example.com> answered 451 4.3.0 Mail server temporarily rejected message"))
        #expect(!error.isPermanent)
    }

    @Test("a 5xx reply to RCPT TO is a permanent failure and no DATA is sent")
    func permanentRecipient() async throws {
        let server = try await FakeSMTPServer.start(greetingAndHello + [
            .expect("MAIL FROM:<sender@example.com>"), .send("250 OK"),
            .expect("RCPT TO:<nobody@example.com>"), .send("550 5.1.1 <nobody@example.com>: Recipient address rejected"),
        ] + quit)
        do {
            try await makeClient(port: server.port).send(SMTPEnvelope(from: "sender@example.com", recipients: ["nobody@example.com"], message: simpleMessage))
            Issue.record("expected the send to fail")
        } catch {
            #expect(error.isPermanent)
            #expect(error.code == 550)
            #expect(error.message.contains("Recipient address rejected"))
        }
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(!transcript.received.contains("DATA"))
    }

    @Test("a server that never answers gives a transient failure once the timeout has passed")
    func silentServer() async throws {
        let server = try await FakeSMTPServer.start([.silence])
        let clock = ContinuousClock()
        let started = clock.now
        let results = await makeClient(port: server.port, timeout: .seconds(1))
            .send([SMTPEnvelope(from: "s@example.com", recipients: ["a@example.com"], message: "x"), SMTPEnvelope(from: "s@example.com", recipients: ["b@example.com"], message: "y")])
        let elapsed = clock.now - started
        #expect(elapsed >= .milliseconds(900))
        #expect(elapsed < .seconds(4))
        #expect(results.count == 2)
        for result in results {
            guard case .failure(let error) = result else { Issue.record("expected a failure"); continue }
            #expect(error.code == nil)
            #expect(!error.isPermanent)
            #expect(error.message.contains("no reply"))
        }
        _ = try await server.finish()
    }

    @Test("a server that stops answering after DATA times out as transient and the connection is closed")
    func silentAfterData() async throws {
        let server = try await FakeSMTPServer.start(greetingAndHello + [
            .expect("MAIL FROM:<s@example.com>"), .send("250 OK"),
            .expect("RCPT TO:<a@example.com>"), .send("250 OK"),
            .expect("DATA"), .send("354 go ahead"), .expectData, .silence,
        ])
        let results = await makeClient(port: server.port, timeout: .seconds(1)).send([
            SMTPEnvelope(from: "s@example.com", recipients: ["a@example.com"], message: "x"),
            SMTPEnvelope(from: "s@example.com", recipients: ["b@example.com"], message: "y"),
        ])
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(results.allSatisfy { if case .failure(let error) = $0 { !error.isPermanent } else { false } })
        #expect(!transcript.received.contains("RSET"))
    }

    @Test("a refused connection is a transient failure for every envelope")
    func connectionRefused() async throws {
        let server = try await FakeSMTPServer.start([.silence])
        let port = server.port
        await server.stop()
        let results = await makeClient(port: port).send([
            SMTPEnvelope(from: "s@example.com", recipients: ["a@example.com"], message: "x"),
            SMTPEnvelope(from: "s@example.com", recipients: ["b@example.com"], message: "y"),
        ])
        #expect(results.count == 2)
        for result in results {
            guard case .failure(let error) = result else { Issue.record("expected a failure"); continue }
            #expect(error.code == nil)
            #expect(!error.isPermanent)
            #expect(error.message.contains("cannot connect to 127.0.0.1:\(port)"))
        }
    }

    @Test("several envelopes share one connection with RSET between them, and one permanent failure spares the others")
    func severalEnvelopes() async throws {
        let server = try await FakeSMTPServer.start(greetingAndHello
            + acceptedTransaction(to: ["one@example.com"])
            + [.expect("RSET"), .send("250 2.0.0 OK")]
            + [.expect("MAIL FROM:<sender@example.com>"), .send("250 OK"),
               .expect("RCPT TO:<two@example.com>"), .send("550 5.1.1 no such user")]
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

    @Test("when the connection drops mid-batch, the envelopes not yet sent fail as transient")
    func connectionLostMidBatch() async throws {
        let server = try await FakeSMTPServer.start(greetingAndHello + acceptedTransaction(to: ["one@example.com"]) + [
            .expect("RSET"), .send("421 4.3.2 shutting down"), .close,
        ])
        let envelopes = ["one", "two", "three"].map { SMTPEnvelope(from: "sender@example.com", recipients: ["\($0)@example.com"], message: "x") }
        let results = await makeClient(port: server.port).send(envelopes)
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(results.count == 3)
        #expect((try? results[0].get()) != nil)
        for result in results.dropFirst() {
            guard case .failure(let error) = result else { Issue.record("expected a failure"); continue }
            #expect(error.code == 421)
            #expect(!error.isPermanent)
        }
    }

    @Test("when EHLO is rejected the client falls back to HELO")
    func heloFallback() async throws {
        let server = try await FakeSMTPServer.start([
            .send("220 old.example SMTP"),
            .expect("EHLO localhost"), .send("502 5.5.2 command not recognised"),
            .expect("HELO localhost"), .send("250 old.example"),
        ] + acceptedTransaction() + quit)
        try await makeClient(port: server.port).send(SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: simpleMessage))
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(transcript.unfinishedSteps == 0)
    }

    @Test("a refused greeting, 421 or 554, keeps the messages for a retry")
    func refusedGreeting() async throws {
        for (greeting, code, permanent) in [("421 4.7.0 try again later", 421, false), ("554 5.7.1 no service for you", 554, false)] {
            let server = try await FakeSMTPServer.start([.send(greeting), .expect("QUIT"), .send("221 bye"), .close])
            let results = await makeClient(port: server.port).send([SMTPEnvelope(from: "s@example.com", recipients: ["a@example.com"], message: "x")])
            let transcript = try await server.finish()
            #expect(transcript.mismatches == [])
            #expect(transcript.unfinishedSteps == 0)
            guard case .failure(let error) = results[0] else { Issue.record("expected a failure"); continue }
            #expect(error.code == code)
            #expect(error.isPermanent == permanent)
        }
    }

    @Test("a reply that is not SMTP is a transient failure", arguments: ["HTTP/1.1 400 Bad Request", "22", "220x hello", "999 odd"])
    func garbledReply(greeting: String) async throws {
        let server = try await FakeSMTPServer.start([.send(greeting), .silence])
        let results = await makeClient(port: server.port).send([SMTPEnvelope(from: "s@example.com", recipients: ["a@example.com"], message: "x")])
        _ = try await server.finish()
        guard case .failure(let error) = results[0] else { Issue.record("expected a failure"); return }
        #expect(error.code == nil)
        #expect(!error.isPermanent)
    }

    @Test("a multi-line reply that mixes codes is refused as garbled")
    func mixedCodes() async throws {
        let server = try await FakeSMTPServer.start([.send("220-mx.example\n250 hello"), .silence])
        let results = await makeClient(port: server.port).send([SMTPEnvelope(from: "s@example.com", recipients: ["a@example.com"], message: "x")])
        _ = try await server.finish()
        guard case .failure(let error) = results[0] else { Issue.record("expected a failure"); return }
        #expect(error == .transient(code: nil, message: "a multi-line reply mixes the codes 220 and 250"))
    }

    @Test("addresses that would break the command line are refused without being sent")
    func unsafeAddresses() async throws {
        let server = try await FakeSMTPServer.start(greetingAndHello + [.expect("RSET"), .send("250 OK"), .expect("RSET"), .send("250 OK")] + quit)
        let results = await makeClient(port: server.port).send([
            SMTPEnvelope(from: "s@example.com", recipients: ["a@example.com>\r\nRCPT TO:<evil@example.com"], message: "x"),
            SMTPEnvelope(from: "s@example.com\r\nRSET", recipients: ["a@example.com"], message: "x"),
            SMTPEnvelope(from: "s@example.com", recipients: [], message: "x"),
        ])
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(transcript.unfinishedSteps == 0)
        #expect(results.map { (try? $0.get()) == nil } == [true, true, true])
        #expect(results.allSatisfy { if case .failure(let error) = $0 { error.isPermanent } else { false } })
        #expect(!transcript.received.contains("evil"))
    }

    @Test("the null sender is sent as MAIL FROM:<>")
    func nullSender() async throws {
        let server = try await FakeSMTPServer.start(greetingAndHello + acceptedTransaction(from: "") + quit)
        try await makeClient(port: server.port).send(SMTPEnvelope(from: "", recipients: ["a@example.com"], message: "x"))
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
    }

    @Test("STARTTLS is used when offered: the client upgrades, verifies the certificate, says EHLO again and authenticates inside TLS")
    func startTLS() async throws {
        let server = try await FakeSMTPServer.start([
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
        guard case .failure(let error) = results[0] else { Issue.record("expected a failure"); return }
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
        guard case .failure(let error) = results[0] else { Issue.record("expected a failure"); return }
        #expect(!error.isPermanent)
        #expect(error.message.contains("in clear"))
    }

    @Test("with security set to plain, an offered STARTTLS is not used")
    func plainIgnoresStartTLS() async throws {
        let server = try await FakeSMTPServer.start(greetingAndHello.dropLast() + [.send("250-mx.example\n250 STARTTLS")] + acceptedTransaction() + quit)
        try await makeClient(port: server.port, security: .plain).send(SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: simpleMessage))
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

    @Test("an empty batch opens no connection")
    func emptyBatch() async {
        #expect(await makeClient(port: 1).send([]).isEmpty)
    }

    // MARK: URL parsing

    @Test("smtp:// and smtps:// URLs give the host, default ports and security")
    func parseSchemes() throws {
        let plain = try SMTPConfiguration.parse("smtp://mail.example.com")
        #expect(plain.host == "mail.example.com")
        #expect(plain.port == 25)
        #expect(plain.security == .startTLSWhenOffered)
        #expect(plain.username == nil && plain.password == nil)
        #expect(plain.heloName == "localhost")
        #expect(plain.timeout == .seconds(30))

        let secure = try SMTPConfiguration.parse("SMTPS://mail.example.com/")
        #expect(secure.port == 465)
        #expect(secure.security == .implicitTLS)

        let explicitPort = try SMTPConfiguration.parse("smtp://127.0.0.1:2525")
        #expect(explicitPort.host == "127.0.0.1")
        #expect(explicitPort.port == 2525)
        #expect(explicitPort.tlsServerHostname == nil)
        #expect(plain.tlsServerHostname == "mail.example.com")

        let ipv6 = try SMTPConfiguration.parse("smtps://[::1]:1465")
        #expect(ipv6.host == "::1")
        #expect(ipv6.port == 1465)
        #expect(ipv6.tlsServerHostname == nil)
    }

    @Test("user and password are percent-decoded")
    func parseCredentials() throws {
        let configuration = try SMTPConfiguration.parse("smtp://user%40example.com:s3cr%C3%A9t%3A%40%2F@mail.example.com:587")
        #expect(configuration.username == "user@example.com")
        #expect(configuration.password == "s3crét:@/")
        #expect(configuration.host == "mail.example.com")
        #expect(configuration.port == 587)

        let userOnly = try SMTPConfiguration.parse("smtp://apikey@mail.example.com")
        #expect(userOnly.username == "apikey")
        #expect(userOnly.password == nil)

        let emptyPassword = try SMTPConfiguration.parse("smtp://user:@mail.example.com")
        #expect(emptyPassword.password == "")
    }

    @Test("bad SMTP URLs are refused without echoing the password", arguments: [
        "http://mail.example.com", "mail.example.com", "smtp://", "smtp://user:hunter2@", "smtp://host:0", "smtp://host:70000",
        "smtp://host:port", "smtp://host/path", "smtp://host?x=1", "smtp://user:hunter2%zz@host", "smtp://[::1", "smtp://h ost",
    ])
    func parseRejects(url: String) {
        #expect(throws: SMTPConfiguration.ParseError.self) { try SMTPConfiguration.parse(url) }
        do {
            _ = try SMTPConfiguration.parse(url)
        } catch {
            #expect(!String(describing: error).contains("hunter2"))
        }
    }

    @Test("a configuration prints as a URL with the password masked")
    func configurationDescription() throws {
        let configuration = try SMTPConfiguration.parse("smtp://user:hunter2@mail.example.com:587")
        #expect(String(describing: configuration) == "smtp://user:***@mail.example.com:587")
        #expect(String(describing: try SMTPConfiguration.parse("smtps://[::1]")) == "smtps://[::1]:465")
    }
}
