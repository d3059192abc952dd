import SQLKit

/// The console's sign-in links and sessions in SQL; a link's mail is a row of the shared outbox.
public struct SQLConsoleRepository: ConsoleRepository {
    /// The shared store.
    let store: SQLStore
    /// The outbox kind of sign-in mail.
    public static let mailKind = "console_signin"

    /// A repository over `store`.
    public init(store: SQLStore) {
        self.store = store
    }

    public func activeUsers(emailKey: String) async throws -> [(tenant: TenantID, user: UserID)] {
        try await store.pool.read { db in
            // Per tenant, through the (tenant_id, email_key) index: no index on the email alone is needed.
            try await db.raw(
                """
                SELECT u.tenant_id, u.id FROM tenants t JOIN users u ON u.tenant_id = t.id AND u.email_key = \(bind: emailKey)
                WHERE u.status = 'active' ORDER BY t.created_at, t.id
                """
            ).all().map { row in
                (
                    TenantID(trusted: try row.decode(column: "tenant_id", as: String.self)),
                    UserID(trusted: try row.decode(column: "id", as: String.self))
                )
            }
        }
    }

    public func insertLink(_ link: SignInLink, mailTo: String?, traceParent: String?) async throws {
        try await store.pool.transaction { db in
            try await db.raw(
                """
                INSERT INTO console_signin_links (tenant_id, id, user_id, token_hash, created_at, expires_at)
                VALUES (\(bind: link.tenantId.rawValue), \(bind: link.id), \(bind: link.userId.rawValue), \(bind: link.tokenHash),
                    \(bind: link.createdAt), \(bind: link.expiresAt))
                """
            ).run()
            if let mailTo {
                try await db.raw(
                    """
                    INSERT INTO outbox_messages (tenant_id, id, signin_id, kind, recipient, status, next_attempt_at, created_at, trace_parent)
                    VALUES (\(bind: link.tenantId.rawValue), \(bind: Identifiers.make()), \(bind: link.id), \(bind: Self.mailKind),
                        \(bind: mailTo), 'queued', \(bind: link.createdAt), \(bind: link.createdAt), \(bind: traceParent))
                    """
                ).run()
            }
        }
    }

    public func redeem(tokenHash: String, session: NewConsoleSession, now: Millis) async throws -> (tenant: TenantID, user: UserID)? {
        try await store.pool.transaction { db in
            // One statement claims the link, so two tabs opening it at once get one session.
            guard
                let row = try await db.raw(
                    """
                    UPDATE console_signin_links SET used_at = \(bind: now)
                    WHERE token_hash = \(bind: tokenHash) AND used_at IS NULL AND expires_at > \(bind: now)
                    RETURNING tenant_id, user_id
                    """
                ).first()
            else { return nil }
            let tenant = try row.decode(column: "tenant_id", as: String.self)
            let user = try row.decode(column: "user_id", as: String.self)
            try await db.raw(
                """
                INSERT INTO console_sessions (tenant_id, id, user_id, token_hash, created_at, last_seen_at)
                VALUES (\(bind: tenant), \(bind: session.id), \(bind: user), \(bind: session.tokenHash), \(bind: now), \(bind: now))
                """
            ).run()
            return (TenantID(trusted: tenant), UserID(trusted: user))
        }
    }

    public func session(tokenHash: String) async throws -> (id: String, tenant: TenantID, user: UserID, lastSeenAt: Millis)? {
        try await store.pool.read { db in
            guard
                let row = try await db.raw(
                    "SELECT id, tenant_id, user_id, last_seen_at FROM console_sessions WHERE token_hash = \(bind: tokenHash) AND ended_at IS NULL"
                ).first()
            else { return nil }
            return (
                try row.decode(column: "id", as: String.self), TenantID(trusted: try row.decode(column: "tenant_id", as: String.self)),
                UserID(trusted: try row.decode(column: "user_id", as: String.self)), try row.decode(column: "last_seen_at", as: Millis.self)
            )
        }
    }

    public func touch(session id: String, now: Millis) async throws {
        try await store.pool.transaction { db in
            try await db.raw("UPDATE console_sessions SET last_seen_at = \(bind: now) WHERE id = \(bind: id) AND last_seen_at < \(bind: now)").run()
        }
    }

    public func end(session id: String, now: Millis) async throws {
        try await store.pool.transaction { db in
            try await db.raw("UPDATE console_sessions SET ended_at = \(bind: now) WHERE id = \(bind: id) AND ended_at IS NULL").run()
        }
    }

    public func purge(idleBefore: Millis, expiredBefore: Millis) async throws -> Int {
        try await store.pool.transaction { db in
            let sessions = try await db.raw(
                "DELETE FROM console_sessions WHERE ended_at IS NOT NULL OR last_seen_at < \(bind: idleBefore) RETURNING id"
            ).all().count
            let links = try await db.raw("DELETE FROM console_signin_links WHERE expires_at < \(bind: expiredBefore) RETURNING id").all().count
            return sessions + links
        }
    }

    public func mailSubjects(_ linkIds: [String]) async throws -> [String: (tenantName: String, expiresAt: Millis, used: Bool)] {
        guard !linkIds.isEmpty else { return [:] }
        let binds: [any Encodable & Sendable] = linkIds
        return try await store.pool.read { db in
            var subjects: [String: (String, Millis, Bool)] = [:]
            for row in try await db.raw(
                """
                SELECT l.id, t.name, l.expires_at, l.used_at FROM console_signin_links l JOIN tenants t ON t.id = l.tenant_id
                WHERE l.id IN (\(binds: binds))
                """
            ).all() {
                subjects[try row.decode(column: "id", as: String.self)] = (
                    try row.decode(column: "name", as: String.self), try row.decode(column: "expires_at", as: Millis.self),
                    try row.decode(column: "used_at", as: Millis?.self) != nil
                )
            }
            return subjects
        }
    }
}
