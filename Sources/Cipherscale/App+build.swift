import CipherscaleAPI
import Hummingbird
import NIOCore
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle

/// Builds the whole server: router, middleware, generated routes and the services it runs.
///
/// The pool is opened and migrated by the caller (see ``openDatabase(_:logger:)``), so tests can
/// hand in a database of their own.
public func buildApplication(
    configuration: AppConfiguration, pool: DatabasePool, logger: Logger
) throws -> some ApplicationProtocol {
    let directory = Directory(store: DirectoryStore(pool: pool), invitationTTL: configuration.invitationTTL)
    let router = try buildRouter(directory: directory)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cipherscale"),
        services: [DatabaseService(pool: pool)],
        logger: logger
    )
}

/// The router: middleware in order (request id, problem mapping, authentication, content rules),
/// then `/openapi.yaml` and every operation of the contract.
public func buildRouter(directory: Directory) throws -> Router<BasicRequestContext> {
    let router = Router()
    let routes = RouteTable()
    router.addMiddleware {
        RequestIdMiddleware()
        ProblemMiddleware(directory: directory, routes: routes)
        AuthMiddleware(directory: directory)
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

/// Keeps the database pool for the life of the server and closes it after the HTTP server has drained.
struct DatabaseService: Service {
    let pool: DatabasePool

    func run() async throws {
        try? await gracefulShutdown()
        await pool.close()
    }
}
