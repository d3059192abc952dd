import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// One message to deliver: the SMTP envelope addresses and the full RFC 5322 text.
public struct SMTPEnvelope: Sendable, Equatable {
    /// The envelope sender (`MAIL FROM`); an empty string sends the null reverse-path `<>`.
    public var from: String
    /// The envelope recipients (`RCPT TO`), at least one.
    public var recipients: [String]
    /// The whole message, headers and body, with CRLF or LF line endings; normalised to CRLF and dot-stuffed on the wire.
    public var message: String

    /// An envelope for `message` from `from` to every address in `recipients`.
    public init(from: String, recipients: [String], message: String) {
        self.from = from
        self.recipients = recipients
        self.message = message
    }
}

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
                throw .transient(code: nil, message: "refusing to send credentials to \(configuration.host) without TLS (the server offers no STARTTLS)")
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
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n"), dot = UInt8(ascii: ".")
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

// MARK: - Internals

/// An open, greeted, possibly encrypted and authenticated connection, with what its server offers.
struct SMTPSession: Sendable {
    /// The connection commands go over.
    let connection: SMTPConnection
    /// The `EHLO` keywords of the (last) hello.
    let extensions: SMTPExtensions
}

/// One complete server reply: a code and its text lines (one per line of a multi-line reply).
struct SMTPReply: Sendable, Equatable {
    /// The three-digit reply code.
    var code: Int
    /// The text after the code on each line, in order.
    var lines: [String]

    /// The error this reply means when `label` expected something else: 4xx transient, 5xx permanent,
    /// anything else an unexpected reply (transient).
    func failure(label: String) -> SMTPError {
        let text = lines.joined(separator: " ").trimmingCharacters(in: .whitespaces)
        let message = "\(label) answered \(code)\(text.isEmpty ? "" : " " + text)"
        switch code {
        case 400..<500: return .transient(code: code, message: message)
        case 500..<600: return .permanent(code: code, message: message)
        default: return .transient(code: code, message: "unexpected reply: \(message)")
        }
    }
}

/// The service extensions an `EHLO` reply lists, by upper-cased keyword, with their upper-cased parameters.
struct SMTPExtensions: Sendable, Equatable {
    /// Keyword to parameters, e.g. `AUTH` to `["PLAIN", "LOGIN"]`.
    var keywords: [String: [String]] = [:]

    /// No extensions (after `HELO`).
    init() {}

    /// Reads every line after the first of an `EHLO` reply; the old `AUTH=LOGIN` form counts as `AUTH LOGIN`.
    init(ehloReply: SMTPReply) {
        for line in ehloReply.lines.dropFirst() {
            var words = line.split(separator: " ").map { $0.uppercased() }
            guard !words.isEmpty else { continue }
            var keyword = words.removeFirst()
            if keyword.hasPrefix("AUTH=") {
                words.insert(String(keyword.dropFirst(5)), at: 0)
                keyword = "AUTH"
            }
            keywords[keyword, default: []] += words
        }
    }

    /// Whether the server listed `keyword`.
    func offers(_ keyword: String) -> Bool { keywords[keyword] != nil }

    /// The parameters listed with `keyword`, empty when it is not offered.
    func parameters(of keyword: String) -> [String] { keywords[keyword] ?? [] }
}

/// The client side of one TCP connection: writes commands and waits, with a deadline, for each reply.
struct SMTPConnection: Sendable {
    /// The NIO channel.
    let channel: any Channel
    /// The reply handler in the channel's pipeline, usable only on the channel's event loop.
    let handler: NIOLoopBound<SMTPReplyHandler>
    /// The longest wait for one reply.
    let timeout: Duration

    /// Sends `line` and requires a reply with one of `codes`; `label` names the command in errors (defaults to `line`).
    @discardableResult
    func command(_ line: String, label: String? = nil, expecting codes: Set<Int>) async throws(SMTPError) -> SMTPReply {
        let reply = try await send(line, label: label)
        try check(reply, expecting: codes, label: label ?? line)
        return reply
    }

    /// Throws the error `reply` means unless its code is one of `codes`.
    func check(_ reply: SMTPReply, expecting codes: Set<Int>, label: String) throws(SMTPError) {
        guard codes.contains(reply.code) else { throw reply.failure(label: label) }
    }

    /// Sends one command line (CRLF added) and answers the reply, whatever its code.
    func send(_ line: String, label: String? = nil) async throws(SMTPError) -> SMTPReply {
        guard !line.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw .permanent(code: 501, message: "refusing to send a command that contains a line break")
        }
        var buffer = ByteBuffer()
        buffer.writeString(line)
        buffer.writeStaticString("\r\n")
        return try await send(raw: buffer, label: label ?? line)
    }

    /// Writes `bytes` as they are and answers the next reply.
    func send(raw bytes: ByteBuffer, label: String) async throws(SMTPError) -> SMTPReply {
        do {
            try await channel.writeAndFlush(bytes)
        } catch {
            throw .transient(code: nil, message: "cannot send \(label): \(error)")
        }
        return try await readReply(after: label)
    }

    /// Waits for the next reply. When none comes within `timeout`, fails as transient and closes the
    /// connection, since its state is then unknown.
    func readReply(after label: String, timeout: Duration? = nil) async throws(SMTPError) -> SMTPReply {
        let (channel, handler, limit) = (self.channel, self.handler, timeout ?? self.timeout)
        let eventLoop = channel.eventLoop
        let reply = eventLoop.flatSubmit {
            let promise = eventLoop.makePromise(of: SMTPReply.self)
            handler.value.awaitReply(promise)
            let deadline = eventLoop.scheduleTask(in: TimeAmount(limit)) {
                handler.value.fail(.transient(code: nil, message: "no reply after \(label) within \(limit)"))
                channel.close(promise: nil)
            }
            promise.futureResult.whenComplete { _ in deadline.cancel() }
            return promise.futureResult
        }
        do {
            return try await reply.get()
        } catch let error as SMTPError {
            throw error
        } catch {
            throw .transient(code: nil, message: "no reply after \(label): \(error)")
        }
    }

    /// Puts a TLS client handler in front of the pipeline, after the server's 220 to `STARTTLS`.
    /// Refuses (and closes) when the server already sent more bytes in clear, which would otherwise
    /// be read as if they came over TLS.
    func startTLS(context: NIOSSLContext, serverHostname: String?) async throws(SMTPError) {
        let (channel, handler) = (self.channel, self.handler)
        do {
            try await channel.eventLoop.submit {
                guard !handler.value.hasUnreadInput else {
                    throw SMTPError.transient(code: nil, message: "the server sent data in clear after agreeing to STARTTLS")
                }
                let tls = try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
                try channel.pipeline.syncOperations.addHandler(tls, position: .first)
            }.get()
        } catch let error as SMTPError {
            channel.close(promise: nil)
            throw error
        } catch {
            channel.close(promise: nil)
            throw .transient(code: nil, message: "cannot start TLS: \(error)")
        }
    }

    /// Says `QUIT` if the connection is still up (waiting at most `timeout` for the answer), then closes.
    func quit(timeout: Duration) async {
        if channel.isActive, (try? await channel.writeAndFlush(ByteBuffer(string: "QUIT\r\n"))) != nil {
            _ = try? await readReply(after: "QUIT", timeout: timeout)
        }
        await close()
    }

    /// Closes the connection, ignoring errors (it may be closed already).
    func close() async {
        try? await channel.close()
    }
}

/// Splits what the server sends into lines, groups lines into replies (`250-…` continues, `250 …`
/// ends), and hands each reply to the oldest waiter, or keeps it until one asks.
///
/// Confined to its channel's event loop: the pipeline calls it there, and other code reaches it only
/// through `NIOLoopBound` inside tasks submitted to that loop.
final class SMTPReplyHandler: ChannelInboundHandler {
    /// Raw bytes from the server (decrypted, when TLS is on).
    typealias InboundIn = ByteBuffer

    /// Longest reply line accepted (RFC 5321 allows 512 octets; servers sometimes send more).
    static let maximumLineLength = 8192
    /// Most lines in one reply, and most replies kept unread.
    static let maximumCount = 512

    /// Received bytes not yet split into lines.
    private var buffer = ByteBuffer()
    /// Text of the lines of a multi-line reply still in progress.
    private var partialLines: [String] = []
    /// The code of the multi-line reply in progress.
    private var partialCode: Int?
    /// Complete replies no one has asked for yet.
    private var replies = CircularBuffer<SMTPReply>()
    /// Promises waiting for the next reply, oldest first.
    private var waiters = CircularBuffer<EventLoopPromise<SMTPReply>>()
    /// Set once the connection is unusable; every later wait fails with it.
    private var failure: SMTPError?

    /// Whether anything has been received that no one has read yet.
    var hasUnreadInput: Bool { buffer.readableBytes > 0 || !partialLines.isEmpty || !replies.isEmpty }

    /// Completes `promise` with the next reply: a kept one, the failure, or the next to arrive.
    func awaitReply(_ promise: EventLoopPromise<SMTPReply>) {
        if let reply = replies.popFirst() {
            promise.succeed(reply)
        } else if let failure {
            promise.fail(failure)
        } else {
            waiters.append(promise)
        }
    }

    /// Marks the connection unusable (the first reason wins) and fails every waiter. Replies already
    /// received stay readable.
    func fail(_ error: SMTPError) {
        let reason = failure ?? error
        failure = reason
        while let waiter = waiters.popFirst() { waiter.fail(reason) }
    }

    /// Splits the new bytes into lines and the lines into replies; input that is not SMTP fails and closes the connection.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard failure == nil else { return }
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        do throws(SMTPError) {
            while let line = try nextLine() { try consume(line) }
            buffer.discardReadBytes()
        } catch {
            fail(error)
            buffer.clear()
            context.close(promise: nil)
        }
    }

    /// Fails every present and future wait: the connection is gone.
    func channelInactive(context: ChannelHandlerContext) {
        fail(.transient(code: nil, message: "the server closed the connection"))
        context.fireChannelInactive()
    }

    /// Fails every wait with the error (a socket or TLS failure) and closes the connection.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.transient(code: nil, message: "connection error: \(error)"))
        context.close(promise: nil)
    }

    /// The next complete line without its CRLF (or bare LF), or `nil` when more bytes are needed.
    private func nextLine() throws(SMTPError) -> String? {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maximumLineLength { throw Self.garbled("a reply line is too long") }
            return nil
        }
        let length = newline - buffer.readerIndex
        guard length <= Self.maximumLineLength, var bytes = buffer.readBytes(length: length + 1) else {
            throw Self.garbled("a reply line is too long")
        }
        bytes.removeLast()
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Adds one line to the reply in progress, and delivers the reply when the line ends it.
    private func consume(_ line: String) throws(SMTPError) {
        let bytes = Array(line.utf8)
        let digits = bytes.prefix(3)
        guard digits.count == 3, (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(digits[0]),
              digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-")
        else {
            throw Self.garbled("the server's reply is not SMTP: \(String(line.prefix(80)).debugDescription)")
        }
        let code = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        if let partialCode, partialCode != code {
            throw Self.garbled("a multi-line reply mixes the codes \(partialCode) and \(code)")
        }
        partialLines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        guard partialLines.count <= Self.maximumCount else { throw Self.garbled("a reply has too many lines") }
        if bytes.count > 3, bytes[3] == UInt8(ascii: "-") {
            partialCode = code
            return
        }
        let reply = SMTPReply(code: code, lines: partialLines)
        partialLines = []
        partialCode = nil
        if let waiter = waiters.popFirst() {
            waiter.succeed(reply)
        } else {
            guard replies.count < Self.maximumCount else { throw Self.garbled("the server sends replies no one asked for") }
            replies.append(reply)
        }
    }

    /// The error for input that is not a well-formed SMTP reply.
    private static func garbled(_ message: String) -> SMTPError {
        .transient(code: nil, message: message)
    }
}
