import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A small SMTP client (RFC 5321) on SwiftNIO: `EHLO`/`HELO`, `STARTTLS` or implicit TLS,
/// `AUTH PLAIN`/`LOGIN`, then `MAIL FROM`, `RCPT TO`, `DATA` with dot-stuffing for each message, and `QUIT`.
///
/// Every reply wait is bounded by ``SMTPConfiguration/timeout``. 4xx replies, connection trouble
/// and timeouts are ``SMTPError/transient(code:message:)``; 5xx replies are
/// ``SMTPError/permanent(code:message:)``. The client logs nothing, and the password never appears
/// in an error message.
public struct SMTPClient: Sendable {
    /// Where and how to connect.
    public let configuration: SMTPConfiguration
    /// The event loops the connection runs on.
    let eventLoopGroup: any EventLoopGroup

    /// A client for the server described by `configuration`; it connects only when sending.
    public init(configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
    }

    /// Sends one message over its own connection.
    public func send(_ envelope: SMTPEnvelope) async throws(SMTPError) {
        let results = await send([envelope])
        if case .failure(let error) = results[0] { throw error }
    }

    /// Opens one connection, sends each envelope (with `RSET` between them), then `QUIT`s.
    ///
    /// Answers one result per envelope, in order. A rejected envelope does not stop the others;
    /// when the connection itself fails, the envelopes not yet attempted fail as transient.
    public func send(_ envelopes: [SMTPEnvelope]) async -> [Result<Void, SMTPError>] {
        guard !envelopes.isEmpty else { return [] }
        let session: SMTPSession
        do throws(SMTPError) {
            session = try await open()
        } catch {
            return envelopes.map { _ in .failure(error) }
        }
        var results: [Result<Void, SMTPError>] = []
        results.reserveCapacity(envelopes.count)
        for (index, envelope) in envelopes.enumerated() {
            if index > 0 {
                do throws(SMTPError) {
                    try await session.connection.command("RSET", expecting: [250])
                } catch {
                    let lost = SMTPError.transient(code: error.code, message: "not attempted, the connection failed: \(error.message)")
                    results += Array(repeating: .failure(lost), count: envelopes.count - index)
                    break
                }
            }
            do throws(SMTPError) {
                try await transaction(envelope, in: session)
                results.append(.success(()))
            } catch {
                results.append(.failure(error))
            }
        }
        await session.connection.quit(timeout: min(configuration.timeout, .seconds(5)))
        return results
    }

    // MARK: - Session set-up

    /// Connects, reads the greeting, says hello, upgrades to TLS if asked and offered, and authenticates.
    private func open() async throws(SMTPError) -> SMTPSession {
        let configuration = configuration
        var tlsContext: NIOSSLContext?
        if configuration.security != .plain {
            do {
                tlsContext = try NIOSSLContext(configuration: configuration.tls)
            } catch {
                throw .transient(code: nil, message: "cannot set up TLS: \(error)")
            }
        }
        let implicitTLS = configuration.security == .implicitTLS ? tlsContext : nil
        let serverHostname = configuration.tlsServerHostname
        let connection: SMTPConnection
        do {
            // The initializer hands the reply handler out, loop-bound, so it is never looked up in a
            // pipeline that the server may already have closed.
            let (channel, handler) = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(TimeAmount(configuration.timeout))
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: implicitTLS, serverHostname: serverHostname)
                            )
                        }
                        let handler = SMTPReplyHandler()
                        try channel.pipeline.syncOperations.addHandler(handler)
                        return (channel, NIOLoopBound(handler, eventLoop: channel.eventLoop))
                    }
                }
            connection = SMTPConnection(channel: channel, handler: handler, timeout: configuration.timeout)
        } catch {
            throw .transient(code: nil, message: "cannot connect to \(configuration.host):\(configuration.port): \(error)")
        }
        do throws(SMTPError) {
            let extensions = try await handshake(connection, tlsContext: tlsContext)
            return SMTPSession(connection: connection, extensions: extensions)
        } catch {
            await connection.quit(timeout: min(configuration.timeout, .seconds(5)))
            // A refused session (a 554 greeting, a wrong password) says nothing about the messages:
            // they stay queued and are retried, so fixing the relay or its settings loses no invitation.
            if case .permanent(let code, let message) = error {
                throw .transient(code: code, message: "the server refused the session: \(message)")
            }
            throw error
        }
    }

    /// Greeting, `EHLO`, optional `STARTTLS` and `AUTH`; answers the extensions the server offers.
    private func handshake(_ connection: SMTPConnection, tlsContext: NIOSSLContext?) async throws(SMTPError) -> SMTPExtensions {
        try connection.check(await connection.readReply(after: "connecting"), expecting: [220], label: "the greeting")
        var extensions = try await hello(connection)
        var encrypted = configuration.security == .implicitTLS
        if configuration.security == .startTLSWhenOffered, extensions.offers("STARTTLS"), let tlsContext {
            try await connection.command("STARTTLS", expecting: [220])
            try await connection.startTLS(context: tlsContext, serverHostname: configuration.tlsServerHostname)
            encrypted = true
            extensions = try await hello(connection)
        }
        if let username = configuration.username {
            // Credentials travel only inside TLS, except to a relay on this machine.
            guard encrypted || configuration.isLoopback else {
                throw .transient(
                    code: nil, message: "refusing to send credentials to \(configuration.host) without TLS (the server offers no STARTTLS)")
            }
            try await authenticate(connection, username: username, password: configuration.password ?? "", extensions: extensions)
        }
        return extensions
    }

    /// `EHLO`, falling back to `HELO` (and no extensions) when the server refuses `EHLO` with a 5xx.
    private func hello(_ connection: SMTPConnection) async throws(SMTPError) -> SMTPExtensions {
        let reply = try await connection.send("EHLO \(configuration.heloName)")
        if reply.code == 250 { return SMTPExtensions(ehloReply: reply) }
        guard (500..<600).contains(reply.code) else { throw reply.failure(label: "EHLO") }
        try await connection.command("HELO \(configuration.heloName)", expecting: [250])
        return SMTPExtensions()
    }

    /// `AUTH PLAIN` when the server offers it, else `AUTH LOGIN`.
    private func authenticate(_ connection: SMTPConnection, username: String, password: String, extensions: SMTPExtensions) async throws(SMTPError) {
        if extensions.parameters(of: "AUTH").contains("PLAIN") {
            let token = Data("\0\(username)\0\(password)".utf8).base64EncodedString()
            try await connection.command("AUTH PLAIN \(token)", label: "AUTH PLAIN", expecting: [235])
        } else {
            try await connection.command("AUTH LOGIN", expecting: [334])
            try await connection.command(Data(username.utf8).base64EncodedString(), label: "AUTH LOGIN (user name)", expecting: [334])
            try await connection.command(Data(password.utf8).base64EncodedString(), label: "AUTH LOGIN (password)", expecting: [235])
        }
    }

    // MARK: - One message

    /// `MAIL FROM`, `RCPT TO` for each recipient, `DATA` and the dot-stuffed message.
    private func transaction(_ envelope: SMTPEnvelope, in session: SMTPSession) async throws(SMTPError) {
        guard !envelope.recipients.isEmpty else {
            throw .permanent(code: 554, message: "the message has no recipients")
        }
        for address in [envelope.from] + envelope.recipients where !Self.isSafeAddress(address) {
            throw .permanent(code: 501, message: "refusing to send to or from the malformed address \(address.debugDescription)")
        }
        var mailFrom = "MAIL FROM:<\(envelope.from)>"
        if session.extensions.offers("8BITMIME"), !envelope.message.utf8.allSatisfy({ $0 < 0x80 }) {
            mailFrom += " BODY=8BITMIME"
        }
        let connection = session.connection
        try await connection.command(mailFrom, expecting: [250])
        for recipient in envelope.recipients {
            try await connection.command("RCPT TO:<\(recipient)>", expecting: [250, 251])
        }
        try await connection.command("DATA", expecting: [354])
        let reply = try await connection.send(raw: Self.encodeData(envelope.message), label: "the message")
        try connection.check(reply, expecting: [250], label: "the message")
    }

    /// Whether an address can go between `<` and `>` without breaking the command line.
    static func isSafeAddress(_ address: String) -> Bool {
        address.unicodeScalars.allSatisfy { scalar in
            scalar.value > 0x20 && scalar.value != 0x7F && scalar != "<" && scalar != ">"
        }
    }

    /// The message as it goes after `DATA`: every line ending (CRLF, LF or a lone CR) becomes CRLF,
    /// a line starting with `.` gets another `.`, the last line is ended, and `.` CRLF closes it.
    static func encodeData(_ message: String) -> ByteBuffer {
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        let dot = UInt8(ascii: ".")
        var out = ByteBuffer()
        out.reserveCapacity(message.utf8.count + message.utf8.count / 32 + 8)
        var atLineStart = true
        var previousWasCR = false
        for byte in message.utf8 {
            if byte == lf, previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = byte == cr
            if byte == cr || byte == lf {
                out.writeStaticString("\r\n")
                atLineStart = true
                continue
            }
            if atLineStart, byte == dot { out.writeInteger(dot) }
            out.writeInteger(byte)
            atLineStart = false
        }
        if !atLineStart { out.writeStaticString("\r\n") }
        out.writeStaticString(".\r\n")
        return out
    }
}
