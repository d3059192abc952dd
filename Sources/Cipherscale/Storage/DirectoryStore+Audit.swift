import Foundation
import SQLKit

extension DirectoryStore {
    private static let auditEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Records changes in the audit log, inside the caller's transaction, with the actor and request id
    /// of the current ``OperationContext``.
    func audit(_ db: any SQLDatabase, tenantId: String, _ entries: [AuditEntry], at now: Millis = Timestamps.now()) async throws {
        guard !entries.isEmpty else { return }
        let context = OperationContext.current
        // Large batches are split so no statement exceeds the engines' bind limits.
        for chunk in stride(from: 0, to: entries.count, by: 200).map({ entries[$0..<min($0 + 200, entries.count)] }) {
            var values: [SQLQueryString] = []
            for entry in chunk {
                let actor = entry.actor ?? context.actor
                let changes = String(decoding: try Self.auditEncoder.encode(entry.changes), as: UTF8.self)
                values.append(
                    """
                    (\(bind: tenantId), \(bind: Identifiers.make()), \(bind: now), \(bind: actor.type), \(bind: actor.id), \(bind: entry.action),
                    \(bind: entry.targetType), \(bind: entry.targetId), \(bind: entry.relatedType), \(bind: entry.relatedId), \(bind: changes),
                    \(bind: context.requestId))
                    """
                )
            }
            try await db.raw(
                """
                INSERT INTO audit_events (tenant_id, id, occurred_at, actor_type, actor_id, action, target_type, target_id,
                related_type, related_id, changes, request_id) VALUES
                """ + " " + values.joined(separator: ", ")
            ).run()
        }
    }

    /// One page of the tenant's audit events, newest first.
    public func auditEvents(tenantId: String, query: AuditQuery) async throws -> [AuditEvent] {
        try await pool.read { db in
            var sql: SQLQueryString = "SELECT * FROM audit_events WHERE tenant_id = \(bind: tenantId)"
            if let target = query.targetId { sql = sql + " AND (target_id = \(bind: target) OR related_id = \(bind: target))" }
            if let actor = query.actorId { sql = sql + " AND actor_id = \(bind: actor)" }
            if let action = query.action { sql = sql + " AND action = \(bind: action)" }
            if let since = query.since { sql = sql + " AND occurred_at >= \(bind: since)" }
            if let until = query.until { sql = sql + " AND occurred_at < \(bind: until)" }
            if let after = query.after { sql = sql + " AND id < \(bind: after)" }
            sql = sql + " ORDER BY id DESC LIMIT \(bind: query.limit)"
            return try await db.raw(sql).all().map { row in
                AuditEvent(
                    id: try row.decode(column: "id", as: String.self),
                    occurredAt: try row.decode(column: "occurred_at", as: Millis.self),
                    actorType: try row.decode(column: "actor_type", as: String.self),
                    actorId: try row.decode(column: "actor_id", as: String?.self),
                    action: try row.decode(column: "action", as: String.self),
                    targetType: try row.decode(column: "target_type", as: String.self),
                    targetId: try row.decode(column: "target_id", as: String.self),
                    relatedType: try row.decode(column: "related_type", as: String?.self),
                    relatedId: try row.decode(column: "related_id", as: String?.self),
                    changes: try row.decode(column: "changes", as: String.self),
                    requestId: try row.decode(column: "request_id", as: String?.self)
                )
            }
        }
    }

    // MARK: - Preconditions

    /// Throws 412 when the request's `If-Match` does not name the user's current entity tag.
    /// Called after the user's row is locked, so the check and the change are one atomic step.
    func checkIfMatch(_ db: any SQLDatabase, tenantId: String, user id: String) async throws {
        guard let header = OperationContext.current.ifMatch else { return }
        let current = try await loadUser(db, tenantId: tenantId, id: id)
        if !EntityTag.ifMatch(header, current: EntityTag.of(current)) { throw DirectoryError.preconditionFailed("user") }
    }

    /// Throws 412 when the request's `If-Match` does not name the group's current entity tag.
    func checkIfMatch(_ db: any SQLDatabase, tenantId: String, group id: String) async throws {
        guard let header = OperationContext.current.ifMatch else { return }
        let group = try await loadGroup(db, tenantId: tenantId, id: id)
        let current = try await hydrateGroups(db, tenantId: tenantId, groups: [group], members: true)[0]
        if !EntityTag.ifMatch(header, current: EntityTag.of(current)) { throw DirectoryError.preconditionFailed("group") }
    }
}
