import CipherscaleAPI
import Crypto
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle

/// Builds the whole server: router, middleware, generated routes and the services it runs
/// (the invitation mail worker, housekeeping, and the pool that closes last).
///
/// The database is opened by the caller (``DirectoryRuntime/open(_:logger:clock:)``); the server
/// closes it last when it stops. `transport` replaces the configured mail transport in tests.
public func buildApplication(
    runtime: DirectoryRuntime, configuration: AppConfiguration, logger: Logger, transport: (any MailTransport)? = nil
) async throws -> some ApplicationProtocol {
    let store = runtime.store
    let services = runtime.services
    let clock = services.clock
    try configuration.checkCombinations()
    // Tracing first, so its exporter is the last service to stop and flushes the last spans.
    let tracer = configuration.tracing ? try DirectoryTracing.bootstrapOnce(logger: logger) : nil
    let router = try buildRouter(
        services: services, invitationRateLimit: configuration.invitationRateLimit, rateLimit: configuration.rateLimit,
        clusterRateLimit: configuration.rateLimitCluster ? store : nil, tracing: tracer != nil, logger: logger,
        logRequests: configuration.logRequests, consoleSignInRateLimit: configuration.consoleSignInRateLimit,
        secureCookies: configuration.linkBaseURL.lowercased().hasPrefix("https:"),
        publicBaseURL: configuration.publicBaseURL.map { _ in configuration.linkBaseURL },
        metrics: configuration.metrics, metricsOnMainPort: configuration.metrics && configuration.metricsPort == nil,
        structuredLogs: configuration.logFormat == .json
    )
    let message = InvitationMessage(from: configuration.mailFrom, publicBaseURL: configuration.linkBaseURL)
    let transport = transport ?? mailTransport(configuration, logger: logger)
    let mailer = InvitationMailer(
        invitations: SQLInvitationRepository(store: store), tokens: services.users.tokens, message: message, transport: transport,
        retry: configuration.delivery.retryPolicy, logger: logger
    )
    let signInMailer = ConsoleSignInMailer(
        console: SQLConsoleRepository(store: store), tokens: services.users.tokens, message: message, transport: transport,
        retry: configuration.delivery.retryPolicy, logger: logger
    )
    let started = ServerStarted()
    let queue = services.jobs
    let delivery = JobWorker(queue: queue, handler: mailer, settings: configuration.delivery, clock: clock, logger: logger, startAfter: started)
    let signInDelivery = JobWorker(
        queue: queue, handler: signInMailer, settings: configuration.delivery, clock: clock, logger: logger, startAfter: started)
    // Header limits well above any real client's; a silent connection is closed, so slow clients
    // cannot hold connections (and their buffers) forever.
    let http1 = HTTP1Channel.Configuration(
        idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)),
        httpDecoderConfiguration: .init(maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 64 * 1024, maxHeaderFieldCount: 100)
    )
    let responder = BasePathResponder(basePath: configuration.basePath, inner: router.buildResponder())
    var lifecycle: [any Service] =
        (tracer.map { [$0] } ?? []) + [
            DatabaseService(pool: store.pool), delivery, signInDelivery,
            MaintenanceService(idempotency: services.idempotency, console: services.console, clock: clock, logger: logger, startAfter: started),
        ]
    DirectoryMetrics.recording = configuration.metrics
    if let cache = services.keys.cache {
        lifecycle.append(KeyChangeListener(keys: SQLKeyRepository(store: store), cache: cache, logger: logger))
    }
    if configuration.metrics, let metricsPort = configuration.metricsPort {
        // METRICS_PORT: the scrape endpoint on its own port (and not on the main one).
        let metricsRouter = Router()
        MetricsEndpoint(jobs: queue, clock: clock).register(on: metricsRouter)
        lifecycle.append(
            Application(
                router: metricsRouter, configuration: .init(address: .hostname(configuration.host, port: metricsPort), serverName: "cipherscale"),
                logger: logger))
    }
    return Application(
        responder: responder,
        server: .http1(configuration: http1),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cipherscale"),
        // Shut down in reverse: the HTTP servers drain, then the workers stop, then the pool closes.
        services: lifecycle,
        // The workers start once the server listens (a server that cannot bind never starts them).
        onServerRunning: { _ in started.open() },
        logger: logger
    )
}

/// Every service of the directory over the SQL repositories of `store`: the one composition of
/// domain and storage, used by the server, the command line and the tests.
public func makeServices(store: SQLStore, configuration: AppConfiguration, clock: any DirectoryClock = SystemClock()) async throws
    -> DirectoryServices
{
    let keys = KeyService(keys: SQLKeyRepository(store: store), clock: clock)
    let tenants = TenantService(tenants: SQLTenantRepository(store: store), keys: keys, clock: clock)
    let tokens = try await tenants.invitationTokens(configured: configuration.invitationSecret)
    return makeServices(store: store, tokens: tokens, invitationTTL: configuration.invitationTTL, clock: clock)
}

/// Every service over `store`, with the given invitation tokens.
public func makeServices(store: SQLStore, tokens: InvitationTokens, invitationTTL: Millis, clock: any DirectoryClock) -> DirectoryServices {
    // On PostgreSQL, authenticated keys are kept in memory while the server hears every key change
    // (``KeyChangeListener``); until then, and on SQLite, keys are read on every request.
    let keys = KeyService(keys: SQLKeyRepository(store: store), clock: clock, cache: store.pool.kind == .postgres ? PrincipalCache() : nil)
    let users = UserService(users: SQLUserRepository(store: store), tokens: tokens, invitationTTL: invitationTTL)
    return DirectoryServices(
        users: users,
        groups: GroupService(groups: SQLGroupRepository(store: store)),
        roles: RoleService(roles: SQLRoleRepository(store: store)),
        devices: DeviceService(devices: SQLDeviceRepository(store: store)),
        invitations: InvitationService(invitations: SQLInvitationRepository(store: store), clock: clock),
        audit: AuditService(audit: SQLAuditRepository(store: store)),
        tenants: TenantService(tenants: SQLTenantRepository(store: store), keys: keys, clock: clock),
        keys: keys,
        console: ConsoleService(console: SQLConsoleRepository(store: store), users: users, tokens: tokens, clock: clock),
        idempotency: SQLIdempotencyRepository(store: store),
        jobs: SQLJobQueue(store: store),
        clock: clock
    )
}

/// The configured transport: SMTP when `SMTP_URL` is set, `.eml` files otherwise.
public func mailTransport(_ configuration: AppConfiguration, logger: Logger) -> any MailTransport {
    if let smtp = configuration.smtp { return SMTPMailTransport(configuration: smtp) }
    return FileMailTransport(folder: configuration.mailDirectory, logger: logger)
}

/// The router: middleware in order (request id; the access log when `logRequests`; authentication
/// with the per-key rate limit; conditional GET; idempotent POST; problem mapping; the invitation
/// pages' limit; content rules; the hottest user reads answered as bytes), then `GET /`, `/openapi.yaml`, the console at `/console`, SCIM 2.0
/// at `/scim/v2` and every operation of the contract.
public func buildRouter(
    services: DirectoryServices, invitationRateLimit: Int = 30, rateLimit: Int = 0, clusterRateLimit: SQLStore? = nil,
    tracing: Bool = false, logger: Logger = Logger(label: "cipherscale"), logRequests: Bool = false, consoleSignInRateLimit: Int = 10,
    secureCookies: Bool = false, publicBaseURL: String? = nil, metrics: Bool = true, metricsOnMainPort: Bool = true,
    structuredLogs: Bool = false, directUserReads: Bool = true
) throws -> Router<DirectoryRequestContext> {
    DirectoryMetrics.bootstrap()
    let router = Router(context: DirectoryRequestContext.self)
    let routes = RouteTable()
    // One bucket per API key, whichever door (REST or SCIM) the key uses.
    let keyLimiter = rateLimit > 0 ? KeyRateLimit(perSecond: rateLimit, cluster: clusterRateLimit.map(SQLRateLimitBuckets.init), logger: logger) : nil
    // Request durations by route template (never a raw path), method and status: Hummingbird's own
    // middleware over swift-metrics, outermost so it times every answer.
    if metrics { router.add(middleware: MetricsMiddleware()) }
    // A server span per request, named by its route, continuing an incoming `traceparent`; only
    // when spans are exported, so that without tracing no request pays for it.
    if tracing { router.add(middleware: TracingMiddleware()) }
    router.add(middleware: RequestIdMiddleware())
    if logRequests { router.add(middleware: AccessLogMiddleware(structured: structuredLogs)) }
    router.addMiddleware {
        AuthMiddleware(keys: services.keys, limiter: keyLimiter)
        ConditionalRequestMiddleware()
        IdempotencyMiddleware(store: services.idempotency, clock: services.clock)
        ProblemMiddleware(routes: routes)
        PathResolutionMiddleware(services: services)
        InvitationRateLimitMiddleware(limiter: invitationRateLimit > 0 ? RateLimiter(capacity: invitationRateLimit, period: .seconds(60)) : nil)
        BodyLimitMiddleware()
    }
    let api = APIImplementation(services: services)
    // The hottest reads as bytes (`directUserReads: false` only for the test that compares them).
    if directUserReads { router.add(middleware: DirectUserReadsMiddleware(api: api)) }
    router.get("/") { request, _ -> Response in RootPage.response(for: request) }
    if metricsOnMainPort { MetricsEndpoint(jobs: services.jobs, clock: services.clock).register(on: router) }
    router.get("/openapi.yaml") { _, _ -> Response in
        guard let document = OpenAPIDocument.yaml() else { throw HTTPError(.notFound) }
        return Response(
            status: .ok, headers: [.contentType: "application/yaml"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: document))
        )
    }
    try ConsoleController(
        services: services, views: try ConsoleViews.load(),
        signInLimiter: consoleSignInRateLimit > 0 ? RateLimiter(capacity: consoleSignInRateLimit, period: .seconds(60)) : nil,
        secureCookie: secureCookies
    ).register(on: router)
    ScimController(services: services, limiter: keyLimiter, publicBaseURL: publicBaseURL).register(on: router)
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
