import Foundation
import SQLKit

/// Stored answers of idempotent requests in SQL, per scope (API key or invitation) and key text.
public struct SQLIdempotencyRepository: IdempotencyRepository {
    /// The shared store.
    let store: SQLStore

    /// A repository over `store`.
    public init(store: SQLStore) {
        self.store = store
    }

    private var pool: DatabasePool { store.pool }
    /// How long an answer is kept for replay.
    public static let idempotencyRetention: Millis = 24 * 3600 * 1000
    /// An attempt that has not finished after this long is considered abandoned (its server died).
    static let idempotencyAbandonedAfter: Millis = 60_000

    /// Claims an idempotency key for a request, or says how to answer it.
    public func start(scope: IdempotencyScope, key: String, requestHash: String, now: Millis) async throws -> IdempotencyStart {
        let scope = scope.storageKey
        return try await pool.transaction { db in
            let lock = store.lockClause()
            if let row = try await db.raw(
                """
                SELECT request_hash, status, headers, body, created_at FROM idempotency_keys
                WHERE scope = \(bind: scope) AND idempotency_key = \(bind: key)\(unsafeRaw: lock)
                """
            ).first() {
                let createdAt = try row.decode(column: "created_at", as: Millis.self)
                if createdAt > now - Self.idempotencyRetention {
                    guard try row.decode(column: "request_hash", as: String.self) == requestHash else { return .mismatch }
                    if let status = try row.decode(column: "status", as: Int?.self) {
                        let headers = try row.decode(column: "headers", as: String?.self).flatMap {
                            try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
                        }
                        return .replay(status: status, headers: headers ?? [:], body: try row.decode(column: "body", as: String?.self) ?? "")
                    }
                    if createdAt > now - Self.idempotencyAbandonedAfter { return .inProgress }
                }
                try await db.raw(
                    "DELETE FROM idempotency_keys WHERE scope = \(bind: scope) AND idempotency_key = \(bind: key)"
                ).run()
            }
            let inserted = try await db.raw(
                """
                INSERT INTO idempotency_keys (scope, idempotency_key, request_hash, created_at)
                VALUES (\(bind: scope), \(bind: key), \(bind: requestHash), \(bind: now))
                ON CONFLICT DO NOTHING RETURNING scope
                """
            ).all()
            return inserted.isEmpty ? .inProgress : .run
        }
    }

    /// Stores the answer of a request that ran with an idempotency key.
    public func finish(scope: IdempotencyScope, key: String, status: Int, headers: [String: String], body: String) async throws {
        let scope = scope.storageKey
        let headerText = String(decoding: try JSONEncoder().encode(headers), as: UTF8.self)
        try await pool.transaction { db in
            try await db.raw(
                """
                UPDATE idempotency_keys SET status = \(bind: status), headers = \(bind: headerText), body = \(bind: body)
                WHERE scope = \(bind: scope) AND idempotency_key = \(bind: key)
                """
            ).run()
        }
    }

    /// Forgets an attempt that failed on the server's side, so a retry runs again.
    public func abandon(scope: IdempotencyScope, key: String) async throws {
        let scope = scope.storageKey
        try await pool.transaction { db in
            try await db.raw(
                "DELETE FROM idempotency_keys WHERE scope = \(bind: scope) AND idempotency_key = \(bind: key) AND status IS NULL"
            ).run()
        }
    }

    /// Deletes stored answers older than the retention period; returns how many.
    @discardableResult
    public func purge(now: Millis) async throws -> Int {
        try await pool.transaction { db in
            try await db.raw(
                "DELETE FROM idempotency_keys WHERE created_at < \(bind: now - Self.idempotencyRetention) RETURNING scope"
            ).all().count
        }
    }
}
