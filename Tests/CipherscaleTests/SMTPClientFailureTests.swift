import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import Cipherscale

@Suite("SMTP client: failures")
struct SMTPClientFailureTests: SMTPClientTestSupport {
    @Test("a 4xx reply to MAIL FROM is a transient failure carrying the code")
    func transientMailFrom() async throws {
        let server = try await FakeSMTPServer.start(
            greetingAndHello + [
                .expect("MAIL FROM:<sender@example.com>"), .send("451 4.3.0 Mail server temporarily rejected message"),
            ] + quit)
        let results = await makeClient(port: server.port).send([
            SMTPEnvelope(from: "sender@example.com", recipients: ["a@example.com"], message: simpleMessage)
        ])
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(transcript.unfinishedSteps == 0)
        #expect(results.count == 1)
        guard case .failure(let error) = results[0] else {
            Issue.record("expected a failure")
            return
        }
        #expect(error == .transient(code: 451, message: "MAIL FROM:<sender@example.com> answered 451 4.3.0 Mail server temporarily rejected message"))
        #expect(!error.isPermanent)
    }

    @Test("a 5xx reply to RCPT TO is a permanent failure and no DATA is sent")
    func permanentRecipient() async throws {
        let server = try await FakeSMTPServer.start(
            greetingAndHello + [
                .expect("MAIL FROM:<sender@example.com>"), .send("250 OK"),
                .expect("RCPT TO:<nobody@example.com>"), .send("550 5.1.1 <nobody@example.com>: Recipient address rejected"),
            ] + quit)
        do {
            try await makeClient(port: server.port).send(
                SMTPEnvelope(from: "sender@example.com", recipients: ["nobody@example.com"], message: simpleMessage))
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
            .send([
                SMTPEnvelope(from: "s@example.com", recipients: ["a@example.com"], message: "x"),
                SMTPEnvelope(from: "s@example.com", recipients: ["b@example.com"], message: "y"),
            ])
        let elapsed = clock.now - started
        #expect(elapsed >= .milliseconds(900))
        // Not a hang (a silent server is waited for only as long as the timeout). The bound leaves
        // room for a loaded CI machine: under the whole suite's load this took 4.0 to 4.6 s.
        #expect(elapsed < .seconds(10))
        #expect(results.count == 2)
        for result in results {
            guard case .failure(let error) = result else {
                Issue.record("expected a failure")
                continue
            }
            #expect(error.code == nil)
            #expect(!error.isPermanent)
            #expect(error.message.contains("no reply"))
        }
        _ = try await server.finish()
    }

    @Test("a server that stops answering after DATA times out as transient and the connection is closed")
    func silentAfterData() async throws {
        let server = try await FakeSMTPServer.start(
            greetingAndHello + [
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
            guard case .failure(let error) = result else {
                Issue.record("expected a failure")
                continue
            }
            #expect(error.code == nil)
            #expect(!error.isPermanent)
            #expect(error.message.contains("cannot connect to 127.0.0.1:\(port)"))
        }
    }

    @Test("when the connection drops mid-batch, the envelopes not yet sent fail as transient")
    func connectionLostMidBatch() async throws {
        let server = try await FakeSMTPServer.start(
            greetingAndHello + acceptedTransaction(to: ["one@example.com"]) + [
                .expect("RSET"), .send("421 4.3.2 shutting down"), .close,
            ])
        let envelopes = ["one", "two", "three"].map { SMTPEnvelope(from: "sender@example.com", recipients: ["\($0)@example.com"], message: "x") }
        let results = await makeClient(port: server.port).send(envelopes)
        let transcript = try await server.finish()
        #expect(transcript.mismatches == [])
        #expect(results.count == 3)
        #expect((try? results[0].get()) != nil)
        for result in results.dropFirst() {
            guard case .failure(let error) = result else {
                Issue.record("expected a failure")
                continue
            }
            #expect(error.code == 421)
            #expect(!error.isPermanent)
        }
    }

    @Test("a refused greeting, 421 or 554, keeps the messages for a retry")
    func refusedGreeting() async throws {
        for (greeting, code, permanent) in [("421 4.7.0 try again later", 421, false), ("554 5.7.1 no service for you", 554, false)] {
            let server = try await FakeSMTPServer.start([.send(greeting), .expect("QUIT"), .send("221 bye"), .close])
            let results = await makeClient(port: server.port).send([SMTPEnvelope(from: "s@example.com", recipients: ["a@example.com"], message: "x")])
            let transcript = try await server.finish()
            #expect(transcript.mismatches == [])
            #expect(transcript.unfinishedSteps == 0)
            guard case .failure(let error) = results[0] else {
                Issue.record("expected a failure")
                continue
            }
            #expect(error.code == code)
            #expect(error.isPermanent == permanent)
        }
    }

    @Test("a reply that is not SMTP is a transient failure", arguments: ["HTTP/1.1 400 Bad Request", "22", "220x hello", "999 odd"])
    func garbledReply(greeting: String) async throws {
        let server = try await FakeSMTPServer.start([.send(greeting), .silence])
        let results = await makeClient(port: server.port).send([SMTPEnvelope(from: "s@example.com", recipients: ["a@example.com"], message: "x")])
        _ = try await server.finish()
        guard case .failure(let error) = results[0] else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == nil)
        #expect(!error.isPermanent)
    }

    @Test("a multi-line reply that mixes codes is refused as garbled")
    func mixedCodes() async throws {
        let server = try await FakeSMTPServer.start([.send("220-mx.example\n250 hello"), .silence])
        let results = await makeClient(port: server.port).send([SMTPEnvelope(from: "s@example.com", recipients: ["a@example.com"], message: "x")])
        _ = try await server.finish()
        guard case .failure(let error) = results[0] else {
            Issue.record("expected a failure")
            return
        }
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
}
