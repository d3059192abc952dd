import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit

/// Connections to the database: concurrent reads, and writes that run as one transaction each.
///
/// SQLite has one writer connection (transactions take turns on it, as SQLite allows only one
/// writer anyway, and those that meet there share a COMMIT: ``SQLiteWriter``) and several reader
/// connections in WAL mode. PostgreSQL uses
/// the `PostgresClient` pool; every transaction holds one pooled connection.
public final class DatabasePool: Sendable {
    /// The engine behind this pool.
    public let kind: DatabaseKind
    private let backend: Backend
    private let logger: Logger
    /// Durations of reads and transactions, and connections in use.
    private let metrics: PoolMetrics

    private enum Backend: Sendable {
        case sqlite(writer: SQLiteWriter, readers: SQLiteReaders)
        case postgres(client: PostgresClient, runner: Task<Void, Never>, statements: PostgresStatementCache)
    }

    private init(kind: DatabaseKind, backend: Backend, logger: Logger) {
        self.kind = kind
        self.backend = backend
        self.logger = logger
        self.metrics = PoolMetrics(system: kind == .sqlite ? "sqlite" : "postgresql")
    }

    /// Opens the database at `location`. For PostgreSQL the pool's background task starts here.
    public static func open(_ location: DatabaseLocation, maxConnections: Int = 16, logger: Logger) async throws -> DatabasePool {
        switch location {
        case .sqlite(let path):
            // One writer and four readers. If any of them fails (a folder that cannot be created, a
            // file that is not a database), those already open are closed and the path is named.
            var connections: [SQLiteHandle] = []
            do {
                let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for _ in 0..<5 { connections.append(try await openSQLite(path: path, logger: logger)) }
            } catch {
                for connection in connections { connection.close() }
                throw StartupFailure.cannotOpenDatabase(path: path, cause: error)
            }
            let writer = SQLiteWriter(connection: connections[0], logger: logger)
            let readers = SQLiteReaders(Array(connections.dropFirst()))
            return DatabasePool(kind: .sqlite, backend: .sqlite(writer: writer, readers: readers), logger: logger)
        case .postgres(let url, let searchPath):
            var (configuration, probe) = try postgresConfigurations(url: url)
            try await checkReachable(probe, logger: logger)
            configuration.options.maximumConnections = maxConnections
            // The directory's queries are short OLTP statements. A parallel plan's worker start-up
            // (measured: 12 ms for a page's 0.8 ms hydration) and JIT compilation cost more than they
            // save on them, and on a small machine the workers compete with other requests.
            var parameters = [("max_parallel_workers_per_gather", "0"), ("jit", "off")]
            if let searchPath { parameters.append(("search_path", searchPath)) }
            configuration.options.additionalStartupParameters = parameters
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            let runner = Task { await client.run() }
            return DatabasePool(
                kind: .postgres, backend: .postgres(client: client, runner: runner, statements: PostgresStatementCache()), logger: logger)
        }
    }

    private static func openSQLite(path: String, logger: Logger) async throws -> SQLiteHandle {
        let connection = try SQLiteHandle(path: path)
        let sql = SQLiteHandleDatabase(handle: connection, logger: logger)
        // WAL lets readers run beside the single writer; FULL sync keeps every acknowledged commit.
        do {
            for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=10000"] {
                try await sql.raw(SQLQueryString(pragma)).run()
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// The pool's configuration and, for the same server and credentials, a single connection's
    /// (the start-up check in ``checkReachable(_:logger:)``).
    private static func postgresConfigurations(
        url: String
    ) throws -> (client: PostgresClient.Configuration, probe: PostgresConnection.Configuration) {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw ConfigurationError("DATABASE_URL is not a valid postgres:// URL")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let sslMode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        let probeTLS: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "require", "verify-full", "verify-ca":
            tls = .require(.makeClientConfiguration())
            probeTLS = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case "prefer":
            tls = .prefer(.makeClientConfiguration())
            probeTLS = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default:
            tls = .disable
            probeTLS = .disable
        }
        let port = components.port ?? 5432
        let username = components.user ?? "postgres"
        let name = database.isEmpty ? nil : database
        let client = PostgresClient.Configuration(
            host: host, port: port, username: username, password: components.password, database: name, tls: tls
        )
        var probe = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: components.password, database: name, tls: probeTLS
        )
        probe.options.connectTimeout = .seconds(Int64(startupTimeoutSeconds))
        return (client, probe)
    }

    /// How long the start-up check may take (TCP connect, TLS, authentication) before it gives up.
    static let startupTimeoutSeconds = 5

    /// Opens and closes one connection before the pool starts. The pool itself retries a failing
    /// server forever and its queries wait meanwhile; this check turns an unreachable server, a
    /// wrong password or a missing database into a ``StartupFailure`` within
    /// ``startupTimeoutSeconds``, with the reason.
    private static func checkReachable(_ configuration: PostgresConnection.Configuration, logger: Logger) async throws {
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try? await connection.close()
        } catch {
            throw StartupFailure.cannotConnectToDatabase(host: configuration.host ?? "?", port: configuration.port ?? 5432, cause: error)
        }
    }

    /// Runs `body` with a connection for reading; it sees only committed data.
    public func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await metrics.time(metrics.reads) { try await readUnmeasured { db in try await metrics.holding { try await body(db) } } }
    }

    private func readUnmeasured<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(_, let readers):
            return try await readers.with { handle in try await body(SQLiteHandleDatabase(handle: handle, logger: logger)) }
        case .postgres(let client, _, let statements):
            return try await client.withConnection { connection in
                try await body(PreparedPostgresDatabase(connection: connection, cache: statements))
            }
        }
    }

    /// Runs `body` on a PostgreSQL connection outside any transaction, each statement committing by
    /// itself: for a single upsert that must cost one round trip (the cluster rate limit). On SQLite
    /// it is a transaction on the writer.
    func autocommit<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        guard case .postgres(let client, _, let statements) = backend else { return try await transaction(body) }
        return try await metrics.time(metrics.autocommits) {
            try await client.withConnection { connection in
                try await metrics.holding { try await body(PreparedPostgresDatabase(connection: connection, cache: statements)) }
            }
        }
    }

    /// PostgreSQL: holds one pooled connection that LISTENs on `channel`, calls `onListening` once
    /// it listens and `onNotification` for each notification, until the task is cancelled or the
    /// connection fails (then it throws). SQLite has no notifications: it returns at once.
    func listen(
        _ channel: String, onListening: @Sendable () -> Void, onNotification: @Sendable () -> Void
    ) async throws {
        guard case .postgres(let client, _, _) = backend else { return }
        try await client.withConnection { connection in
            try await connection.listen(on: channel) { notifications in
                onListening()
                for try await _ in notifications { onNotification() }
            }
        }
    }

    /// `body` between `begin` and COMMIT on one connection, rolled back when it throws.
    private static func inTransaction<T: Sendable>(
        _ sql: any SQLDatabase, begin: SQLQueryString, isolation: isolated (any Actor)? = #isolation,
        _ body: (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await sql.raw(begin).run()
        do {
            let result = try await body(sql)
            try await sql.raw("COMMIT").run()
            return result
        } catch {
            try? await sql.raw("ROLLBACK").run()
            throw error
        }
    }

    /// Runs `body` inside one transaction: it commits when `body` returns and rolls back when it throws.
    public func transaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await metrics.time(metrics.transactions) {
            try await transactionUnmeasured { db in try await metrics.holding { try await body(db) } }
        }
    }

    private func transactionUnmeasured<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let writer, _):
            return try await writer.transaction(body)
        case .postgres(let client, _, let statements):
            // A deadlock or serialisation failure is the database asking us to try again: do so a few times.
            var attempt = 0
            while true {
                attempt += 1
                do {
                    return try await client.withConnection { connection in
                        try await Self.inTransaction(PreparedPostgresDatabase(connection: connection, cache: statements), begin: "BEGIN", body)
                    }
                } catch  where attempt < 4 && SQLErrors.isRetryable(error) {
                    logger.debug("retrying transaction", metadata: ["attempt": "\(attempt)"])
                    try await Task.sleep(for: .milliseconds(5 * attempt))
                }
            }
        }
    }

    /// For bulk loads (`cipherscale seed`): a 1 GiB page cache on the SQLite writer, so inserts into
    /// indexes in random key order (emails, names) find their pages in memory instead of reading
    /// them back from the file for every row, and statement journals in memory. Nothing changes
    /// for PostgreSQL.
    public func prepareForBulkLoad() async throws {
        guard case .sqlite(let writer, _) = backend else { return }
        try await writer.withExclusiveAccess { sql in
            try await sql.raw("PRAGMA cache_size = -1048576").run()
            // Multi-row INSERTs keep a statement journal; in memory it costs no file writes.
            try await sql.raw("PRAGMA temp_store = MEMORY").run()
        }
    }

    /// Closes every connection. The pool must not be used afterwards.
    public func close() async {
        switch backend {
        case .sqlite(let writer, let readers):
            await writer.close()
            for connection in readers.all { connection.close() }
        case .postgres(_, let runner, _):
            runner.cancel()
            _ = await runner.value
        }
    }
}
