/// The console's sign-in links and sessions, and the outbox opened to mail that is not an
/// invitation (a sign-in link goes through the same queue and transport).
///
/// Only hashes of link and session tokens are stored. A link belongs to one user of one tenant and
/// is deleted with them; so is a session. SQLite cannot drop a column's `NOT NULL`, so there the
/// outbox is copied into a new table with the same indexes.
enum AddConsole {
    static let migration = Migration(name: "007_console") { kind in
        let tables = [
            """
            CREATE TABLE console_signin_links (
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT
            )
            """,
            "CREATE INDEX console_signin_links_user ON console_signin_links (user_id)",
            """
            CREATE TABLE console_sessions (
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL,
                ended_at BIGINT
            )
            """,
            "CREATE INDEX console_sessions_user ON console_sessions (user_id)",
            "CREATE INDEX console_sessions_seen ON console_sessions (last_seen_at)",
        ]
        switch kind {
        case .sqlite:
            return tables + [
                """
                CREATE TABLE outbox_messages_v2 (
                    tenant_id TEXT NOT NULL,
                    id TEXT PRIMARY KEY,
                    invitation_id TEXT REFERENCES invitations(id) ON DELETE CASCADE,
                    signin_id TEXT REFERENCES console_signin_links(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts BIGINT NOT NULL DEFAULT 0,
                    next_attempt_at BIGINT NOT NULL,
                    lease_until BIGINT,
                    last_attempt_at BIGINT,
                    delivered_at BIGINT,
                    last_error TEXT,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                INSERT INTO outbox_messages_v2 (tenant_id, id, invitation_id, kind, recipient, status, attempts, next_attempt_at,
                    lease_until, last_attempt_at, delivered_at, last_error, created_at)
                SELECT tenant_id, id, invitation_id, kind, recipient, status, attempts, next_attempt_at,
                    lease_until, last_attempt_at, delivered_at, last_error, created_at FROM outbox_messages
                """,
                "DROP TABLE outbox_messages",
                "ALTER TABLE outbox_messages_v2 RENAME TO outbox_messages",
                "CREATE INDEX outbox_messages_due ON outbox_messages (status, next_attempt_at)",
                "CREATE INDEX outbox_messages_invitation ON outbox_messages (invitation_id)",
                "CREATE INDEX outbox_messages_signin ON outbox_messages (signin_id)",
            ]
        case .postgres:
            return tables + [
                "ALTER TABLE outbox_messages ALTER COLUMN invitation_id DROP NOT NULL",
                "ALTER TABLE outbox_messages ADD COLUMN signin_id TEXT REFERENCES console_signin_links(id) ON DELETE CASCADE",
                "CREATE INDEX outbox_messages_signin ON outbox_messages (signin_id)",
            ]
        }
    }
}
