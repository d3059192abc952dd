import NIOCore

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
