/// State that several server processes on one PostgreSQL share.
///
/// - `rate_limit_buckets`: the per-key token buckets of `RATE_LIMIT_SCOPE=cluster`
///   (``SQLRateLimitBuckets``), UNLOGGED on PostgreSQL: no write-ahead log for a row touched on
///   every request; a crash empties the table, which only refills every bucket. SQLite has no
///   cluster scope (one file, one machine), but gets the table so both schemas stay alike.
/// - `outbox_messages.trace_parent`: the W3C `traceparent` of the request that queued a job, so its
///   delivery continues that trace (``DirectoryTracing``); NULL when tracing is off.
enum AddClusterState {
    static let migration = Migration(name: "012_cluster_state") { kind in
        [
            """
            CREATE \(kind == .postgres ? "UNLOGGED " : "")TABLE rate_limit_buckets (
                bucket TEXT PRIMARY KEY,
                tokens DOUBLE PRECISION NOT NULL,
                updated_ms BIGINT NOT NULL,
                granted BOOLEAN NOT NULL
            )
            """,
            "ALTER TABLE outbox_messages ADD COLUMN trace_parent TEXT",
        ]
    }
}
