import CipherscaleAPI
import Crypto
import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle

/// Builds the whole server: router, middleware, generated routes and the services it runs
/// (the invitation mail worker, and the pool that closes last).
///
/// The pool is opened and migrated by the caller (see ``openDatabase(_:logger:)``), so tests can
/// hand in a database of their own; `transport` replaces the configured mail transport in tests.
public func buildApplication(
    configuration: AppConfiguration, pool: DatabasePool, logger: Logger, transport: (any MailTransport)? = nil
) async throws -> some ApplicationProtocol {
    let store = DirectoryStore(pool: pool, onlineWindow: configuration.deviceOnlineWindow)
    let directory = Directory(store: store, tokens: try await invitationTokens(configuration, store: store), invitationTTL: configuration.invitationTTL)
    let router = try buildRouter(
        directory: directory, invitationRateLimit: configuration.invitationRateLimit, rateLimit: configuration.rateLimit
    )
    let delivery = InvitationDeliveryService(
        store: store, tokens: directory.tokens,
        message: InvitationMessage(from: configuration.mailFrom, publicBaseURL: configuration.linkBaseURL),
        transport: transport ?? mailTransport(configuration, logger: logger), settings: configuration.delivery, logger: logger
    )
    // Header limits well above any real client's; a silent connection is closed, so slow clients
    // cannot hold connections (and their buffers) forever.
    let http1 = HTTP1Channel.Configuration(
        idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)),
        httpDecoderConfiguration: .init(maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 64 * 1024, maxHeaderFieldCount: 100)
    )
    return Application(
        router: router,
        server: .http1(configuration: http1),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cipherscale"),
        // Shut down in reverse: the HTTP server drains, then the mail worker stops, then the pool closes.
        services: [DatabaseService(pool: pool), delivery, MaintenanceService(store: store, logger: logger)],
        logger: logger
    )
}

/// The configured transport: SMTP when `SMTP_URL` is set, `.eml` files otherwise.
public func mailTransport(_ configuration: AppConfiguration, logger: Logger) -> any MailTransport {
    if let smtp = configuration.smtp { return SMTPMailTransport(configuration: smtp) }
    return FileMailTransport(folder: configuration.mailDirectory, logger: logger)
}

/// The invitation token key: `INVITATION_SECRET`, or a random secret created once in the database.
public func invitationTokens(_ configuration: AppConfiguration, store: DirectoryStore) async throws -> InvitationTokens {
    if let secret = configuration.invitationSecret { return InvitationTokens(secret: Data(SHA256.hash(data: Data(secret.utf8)))) }
    let stored = try await store.serverSecret(name: "invitation-token-key") { InvitationTokens.randomSecret().base64EncodedString() }
    return InvitationTokens(secret: Data(base64Encoded: stored) ?? Data(stored.utf8))
}

/// The router: middleware in order (request id; authentication with the per-key rate limit; conditional
/// GET; idempotent POST; problem mapping; the invitation pages' limit; content rules), then
/// `/openapi.yaml` and every operation of the contract.
public func buildRouter(directory: Directory, invitationRateLimit: Int = 30, rateLimit: Int = 0) throws -> Router<DirectoryRequestContext> {
    let router = Router(context: DirectoryRequestContext.self)
    let routes = RouteTable()
    router.addMiddleware {
        RequestIdMiddleware()
        AuthMiddleware(directory: directory, limiter: rateLimit > 0 ? RateLimiter(capacity: 2 * rateLimit, rate: rateLimit) : nil)
        ConditionalRequestMiddleware()
        IdempotencyMiddleware(store: directory.store)
        ProblemMiddleware(directory: directory, routes: routes)
        InvitationRateLimitMiddleware(limiter: invitationRateLimit > 0 ? RateLimiter(capacity: invitationRateLimit, period: .seconds(60)) : nil)
        BodyLimitMiddleware()
    }
    router.get("/openapi.yaml") { _, _ -> Response in
        guard let document = OpenAPIDocument.yaml() else { throw HTTPError(.notFound) }
        return Response(
            status: .ok, headers: [.contentType: "application/yaml"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: document))
        )
    }
    let api = APIImplementation(directory: directory)
    try api.registerHandlers(
        on: router,
        configuration: Configuration(dateTranscoder: MillisecondDateTranscoder(), jsonEncodingOptions: [.withoutEscapingSlashes])
    )
    routes.record(router.routes.map { (path: $0.path.description, method: $0.method.rawValue) })
    return router
}

/// Opens the configured database and applies pending migrations.
public func openDatabase(_ configuration: AppConfiguration, logger: Logger) async throws -> DatabasePool {
    let pool = try await DatabasePool.open(configuration.database, maxConnections: configuration.maxConnections, logger: logger)
    do {
        try await Migrator.migrate(pool, logger: logger)
    } catch {
        await pool.close()
        throw error
    }
    return pool
}
