import SQLKit

/// The durable job queue in SQL, on the `outbox_messages` table (its `kind` names the job's kind).
///
/// Claims take a lease: PostgreSQL skips rows another worker has locked (`FOR UPDATE SKIP LOCKED`),
/// and the lease keeps a claimed row from being claimed again until it is settled or the lease runs
/// out (a crash). SQLite serialises writers, so there the lease alone does it.
public struct SQLJobQueue: JobQueue {
    /// The shared store.
    let store: SQLStore

    /// A queue over `store`.
    public init(store: SQLStore) {
        self.store = store
    }

    public func claim(kind: String, limit: Int, lease: Millis, now: Millis) async throws -> [Job] {
        try await store.pool.transaction { db in
            let ids = try await db.raw(
                """
                SELECT id FROM outbox_messages
                WHERE status = 'queued' AND kind = \(bind: kind) AND next_attempt_at <= \(bind: now)
                AND (lease_until IS NULL OR lease_until < \(bind: now))
                ORDER BY next_attempt_at, id LIMIT \(bind: limit)\(unsafeRaw: store.lockClause(" FOR UPDATE SKIP LOCKED"))
                """
            ).all().map { try $0.decode(column: "id", as: String.self) }
            guard !ids.isEmpty else { return [] }
            let binds: [any Encodable & Sendable] = ids
            try await db.raw(
                """
                UPDATE outbox_messages SET lease_until = \(bind: now + lease), attempts = attempts + 1, last_attempt_at = \(bind: now)
                WHERE id IN (\(binds: binds))
                """
            ).run()
            return try await db.raw(
                """
                SELECT id, kind, COALESCE(invitation_id, signin_id) AS subject_id, recipient, attempts, trace_parent FROM outbox_messages
                WHERE id IN (\(binds: binds)) ORDER BY next_attempt_at, id
                """
            ).all().map { row in
                Job(
                    id: try row.decode(column: "id", as: String.self),
                    kind: try row.decode(column: "kind", as: String.self),
                    subjectId: try row.decode(column: "subject_id", as: String.self),
                    recipient: try row.decode(column: "recipient", as: String.self),
                    attempts: try row.decode(column: "attempts", as: Int.self),
                    traceParent: try row.decode(column: "trace_parent", as: String?.self)
                )
            }
        }
    }

    public func settle(_ id: String, outcome: JobOutcome, now: Millis) async throws {
        let sql: SQLQueryString =
            switch outcome {
            case .done:
                "UPDATE outbox_messages SET status = 'sent', delivered_at = \(bind: now), lease_until = NULL, last_error = NULL WHERE id = \(bind: id)"
            case .retry(let error, let at):
                "UPDATE outbox_messages SET next_attempt_at = \(bind: at), lease_until = NULL, last_error = \(bind: error) WHERE id = \(bind: id)"
            case .failed(let error):
                "UPDATE outbox_messages SET status = 'failed', lease_until = NULL, last_error = \(bind: error) WHERE id = \(bind: id)"
            case .cancelled(let reason):
                "UPDATE outbox_messages SET status = 'cancelled', lease_until = NULL, last_error = \(bind: reason) WHERE id = \(bind: id)"
            }
        try await store.pool.transaction { db in try await db.raw(sql).run() }
    }

    public func backlog() async throws -> [JobBacklog] {
        try await store.pool.read { db in
            try await db.raw(
                "SELECT kind, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox_messages WHERE status = 'queued' GROUP BY kind ORDER BY kind"
            ).all().map { row in
                JobBacklog(
                    kind: try row.decode(column: "kind", as: String.self), pending: try row.decode(column: "n", as: Int.self),
                    oldestQueuedAt: try row.decode(column: "oldest", as: Millis?.self))
            }
        }
    }
}
