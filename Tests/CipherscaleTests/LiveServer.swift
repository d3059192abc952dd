import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

@testable import Cipherscale

/// A real server listening on 127.0.0.1 on a free port, over a fresh database with tenants A and B,
/// for tests that talk to it over a socket: the `cipherscale` client commands and the
/// `CipherscaleClient` library.
struct LiveServer: Sendable {
    /// `http://127.0.0.1:PORT`.
    var url: String
    var services: DirectoryServices
    /// The server's database, for fixtures.
    var pool: DatabasePool
    var a: TestTenant
    var b: TestTenant

    /// Runs `cipherscale` with `arguments` against this server, with tenant A's admin key in
    /// `CIPHERSCALE_API_KEY` unless `key` says otherwise (`.some(nil)`: no key at all).
    func cipherscale(_ arguments: String..., key: String?? = .none, environment: [String: String] = [:]) async throws -> CommandRun {
        var variables = ["CIPHERSCALE_URL": url]
        if let key = key ?? a.adminKey { variables["CIPHERSCALE_API_KEY"] = key }
        variables.merge(environment) { $1 }
        return try await CipherscaleExecutable.run(arguments, environment: variables)
    }
}

/// Runs `body` with a live server on a fresh database; stops the server and drops the database afterwards.
func withLiveServer(_ body: @Sendable (LiveServer) async throws -> Void) async throws {
    var logger = Logger(label: "test")
    logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG"] != nil ? .error : .critical
    let (pool, cleanup) = try await TestDatabase.open(logger: logger)
    do {
        let services = makeServices(
            store: SQLStore(pool: pool), tokens: InvitationTokens(secret: InvitationTokens.randomSecret()), invitationTTL: 7 * 24 * 3600 * 1000,
            clock: SystemClock()
        )
        let a = try await TestTenant.create("Tenant A", owner: "owner@a.example", services: services)
        let b = try await TestTenant.create("Tenant B", owner: "owner@b.example", services: services)
        let (ports, port) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: try buildRouter(services: services),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "cipherscale-test"),
            onServerRunning: { channel in
                port.yield(channel.localAddress?.port ?? 0)
                port.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let bound = await iterator.next(), bound > 0 else { throw CancellationError() }
            do {
                try await body(LiveServer(url: "http://127.0.0.1:\(bound)", services: services, pool: pool, a: a, b: b))
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
}
