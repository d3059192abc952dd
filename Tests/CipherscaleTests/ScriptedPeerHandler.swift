import NIOCore
import NIOSSL

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
