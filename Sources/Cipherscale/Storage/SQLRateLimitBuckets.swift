import SQLKit

/// The per-key token buckets of `RATE_LIMIT_SCOPE=cluster`, in PostgreSQL's `rate_limit_buckets`:
/// every server process takes from the same bucket, so N processes allow the limit once, not N times.
///
/// One statement per request, an upsert that refills the bucket for the time since its last use
/// (by the database's clock, the same for every process), takes a token when there is one, and
/// returns what is left and whether it was granted. Concurrent takes of one bucket queue on its row
/// lock, so no token is handed out twice.
struct SQLRateLimitBuckets: Sendable {
    /// The shared store.
    let store: SQLStore

    /// Takes one token from `bucket`, which holds up to `capacity` and gains `rate` a second.
    func take(_ bucket: String, capacity: Int, rate: Double) async throws -> RateLimiter.Decision {
        let (tokens, granted) = try await store.pool.autocommit { db in
            let row = try await db.raw(
                """
                INSERT INTO rate_limit_buckets AS b (bucket, tokens, updated_ms, granted)
                VALUES (\(bind: bucket), \(bind: Double(capacity) - 1), (EXTRACT(EPOCH FROM statement_timestamp()) * 1000)::BIGINT, TRUE)
                ON CONFLICT (bucket) DO UPDATE SET
                    tokens = LEAST(\(bind: Double(capacity)), b.tokens + GREATEST(0, EXCLUDED.updated_ms - b.updated_ms) * \(bind: rate / 1000))
                        - CASE WHEN LEAST(\(bind: Double(capacity)), b.tokens + GREATEST(0, EXCLUDED.updated_ms - b.updated_ms) * \(bind: rate / 1000)) >= 1
                          THEN 1 ELSE 0 END,
                    granted = LEAST(\(bind: Double(capacity)), b.tokens + GREATEST(0, EXCLUDED.updated_ms - b.updated_ms) * \(bind: rate / 1000)) >= 1,
                    updated_ms = GREATEST(b.updated_ms, EXCLUDED.updated_ms)
                RETURNING tokens, granted
                """
            ).first()
            // The upsert always returns its row; without one, nothing was taken.
            guard let row else { return (Double(capacity), true) }
            return (try row.decode(column: "tokens", as: Double.self), try row.decode(column: "granted", as: Bool.self))
        }
        return RateLimiter.Decision(
            retryAfter: granted ? nil : max(1, Int(((1 - tokens) / rate).rounded(.up))),
            remaining: max(0, Int(tokens)),
            resetSeconds: Int(((Double(capacity) - tokens) / rate).rounded(.up))
        )
    }
}
