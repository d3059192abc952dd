import NIOCore
import NIOPosix
import NIOSSL

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
