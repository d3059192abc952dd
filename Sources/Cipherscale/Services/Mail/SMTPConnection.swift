import NIOCore
import NIOSSL

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
