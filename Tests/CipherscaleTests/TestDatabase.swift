import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import Testing

@testable import Cipherscale

/// Which database the suites run against: `CIPHERSCALE_TEST_DATABASE=postgres` with
/// `CIPHERSCALE_TEST_POSTGRES_URL` (set by `scripts/test.sh`), SQLite otherwise.
enum TestDatabase {
    static var isPostgres: Bool { ProcessInfo.processInfo.environment["CIPHERSCALE_TEST_DATABASE"] == "postgres" }

    /// Opens a fresh, migrated, empty database for one test: a temporary SQLite file, or a new schema
    /// in the test PostgreSQL (which must be on this machine). `cleanup` drops it.
    static func open(logger: Logger) async throws -> (pool: DatabasePool, cleanup: @Sendable () async -> Void) {
        if isPostgres {
            await permits.acquire()
            do {
                let (pool, cleanup) = try await openPostgres(logger: logger)
                return (
                    pool,
                    {
                        await cleanup()
                        await permits.release()
                    }
                )
            } catch {
                await permits.release()
                throw error
            }
        }
        return try await openSQLite(logger: logger)
    }

    /// Tests holding a PostgreSQL database at once: about 8 connections each (the test's pool of 6,
    /// the admin connection, a start-up check), well inside the test server's `max_connections`.
    static let permits = DatabasePermits(16)

    /// A new schema in the test PostgreSQL, migrated.
    private static func openPostgres(logger: Logger) async throws -> (pool: DatabasePool, cleanup: @Sendable () async -> Void) {
        guard let url = ProcessInfo.processInfo.environment["CIPHERSCALE_TEST_POSTGRES_URL"] else {
            throw ConfigurationError("CIPHERSCALE_TEST_POSTGRES_URL is not set")
        }
        guard let host = URLComponents(string: url)?.host, ["127.0.0.1", "localhost", "::1"].contains(host) else {
            throw ConfigurationError("tests refuse a non-local PostgreSQL host")
        }
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try await DatabasePool.open(.postgres(url: url), maxConnections: 1, logger: logger)
        try await admin.transaction { db in
            // Shared by every test schema, so dropping one schema never takes the extension with it.
            try await db.raw("SELECT pg_advisory_xact_lock(7711)").run()
            try await db.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public").run()
            try await db.raw("CREATE SCHEMA \(unsafeRaw: schema)").run()
        }
        let pool = try await DatabasePool.open(.postgres(url: url, searchPath: schema), maxConnections: 6, logger: logger)
        try await Migrator.migrate(pool, logger: logger)
        return (
            pool,
            {
                await pool.close()
                _ = try? await admin.transaction { db in try await db.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
                await admin.close()
            }
        )
    }

    /// A temporary SQLite file, migrated.
    private static func openSQLite(logger: Logger) async throws -> (pool: DatabasePool, cleanup: @Sendable () async -> Void) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cipherscale-test-\(UUID().uuidString)")
        let pool = try await DatabasePool.open(.sqlite(path: folder.appendingPathComponent("test.sqlite").path), logger: logger)
        try await Migrator.migrate(pool, logger: logger)
        return (
            pool,
            {
                await pool.close()
                try? FileManager.default.removeItem(at: folder)
            }
        )
    }
}
