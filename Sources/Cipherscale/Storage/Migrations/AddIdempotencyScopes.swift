/// Stored `Idempotency-Key` answers belong to a scope instead of an API key, so that an invitation's
/// acceptance, which has no API key, can be retried safely too (see ``IdempotencyScope``).
///
/// The column `api_key_id` (a foreign key to `api_keys`) becomes `scope` (`key:<id>` or
/// `invitation:<token hash>`), without a foreign key: an invitation scope names no row, and stored
/// answers are purged after 24 hours anyway. SQLite cannot drop a foreign key or change a primary
/// key in place, so the table is copied into a new one; the same copy serves PostgreSQL, since the
/// table only ever holds a day of answers.
enum AddIdempotencyScopes {
    static let migration = Migration(name: "011_idempotency_scopes") { _ in
        [
            """
            CREATE TABLE idempotency_keys_v2 (
                scope TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                status INTEGER,
                headers TEXT,
                body TEXT,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (scope, idempotency_key)
            )
            """,
            """
            INSERT INTO idempotency_keys_v2 (scope, idempotency_key, request_hash, status, headers, body, created_at)
            SELECT 'key:' || api_key_id, idempotency_key, request_hash, status, headers, body, created_at FROM idempotency_keys
            """,
            "DROP TABLE idempotency_keys",
            "ALTER TABLE idempotency_keys_v2 RENAME TO idempotency_keys",
            "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)",
        ]
    }
}
