import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import Cipherscale

/// Helpers shared by the SMTP client suites (`SMTPClient…Tests`), which talk to a ``FakeSMTPServer``: each suite conforms, so its tests reach them as `Self.…`.
protocol SMTPClientTestSupport {}

extension SMTPClientTestSupport {
    /// A client for the fake server on `port`, with a short timeout so failures do not hang the suite.
    func makeClient(
        port: Int, host: String = "127.0.0.1", username: String? = nil, password: String? = nil,
        security: SMTPConfiguration.Security = .startTLSWhenOffered, timeout: Duration = .seconds(5),
        tls: TLSConfiguration = .makeClientConfiguration()
    ) -> SMTPClient {
        SMTPClient(
            configuration: SMTPConfiguration(
                host: host, port: port, username: username, password: password,
                security: security, timeout: timeout, tls: tls))
    }

    var simpleMessage: String { "Subject: Hello\nTo: <a@example.com>\n\nBody\n" }

    /// The steps of one accepted message from `from` to `to`.
    func acceptedTransaction(from: String = "sender@example.com", to: [String] = ["a@example.com"]) -> [PeerStep] {
        [.expect("MAIL FROM:<\(from)>"), .send("250 2.1.0 OK")]
            + to.flatMap { [PeerStep.expect("RCPT TO:<\($0)>"), .send("250 2.1.5 OK")] }
            + [.expect("DATA"), .send("354 go ahead"), .expectData, .send("250 2.0.0 queued as 42")]
    }

    var greetingAndHello: [PeerStep] { [.send("220 mx.example ESMTP ready"), .expect("EHLO localhost"), .send("250 mx.example")] }

    var quit: [PeerStep] { [.expect("QUIT"), .send("221 2.0.0 bye"), .close] }
}
