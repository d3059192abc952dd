import Foundation
import SQLKit

extension SQLStore {
    private static let auditEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Records changes in the audit log, inside the caller's transaction, with the tenant, actor,
    /// request id and time of `context`.
    func audit(_ db: any SQLDatabase, _ entries: [AuditEntry], context: OperationContext) async throws {
        guard !entries.isEmpty else { return }
        let tenantId = context.tenantId.rawValue
        let now = context.now
        // Large batches are split so no statement exceeds the engines' bind limits.
        for chunk in stride(from: 0, to: entries.count, by: 200).map({ entries[$0..<min($0 + 200, entries.count)] }) {
            var values: [SQLQueryString] = []
            for entry in chunk {
                let actor = entry.actor ?? context.actor
                let changes = String(decoding: try Self.auditEncoder.encode(entry.changes), as: UTF8.self)
                values.append(
                    """
                    (\(bind: tenantId), \(bind: Identifiers.make()), \(bind: now), \(bind: actor.type), \(bind: actor.id), \(bind: entry.action.rawValue),
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

    // MARK: - Preconditions

    /// Throws 412 when the request's `If-Match` does not name the user's current entity tag.
    /// Called after the user's row is locked, so the check and the change are one atomic step.
    func checkIfMatch(_ db: any SQLDatabase, user id: UserID, context: OperationContext) async throws {
        guard let header = context.ifMatch else { return }
        let current = try await loadUser(db, id, context: context)
        if !EntityTag.ifMatch(header, current: EntityTag.of(current)) { throw DirectoryError.preconditionFailed("user") }
    }

    /// Throws 412 when the request's `If-Match` does not name the group's current entity tag.
    func checkIfMatch(_ db: any SQLDatabase, group id: GroupID, context: OperationContext) async throws {
        guard let header = context.ifMatch else { return }
        let group = try await loadGroup(db, id, tenantId: context.tenantId)
        let current = try await hydrateGroups(db, tenantId: context.tenantId, groups: [group], members: true)[0]
        if !EntityTag.ifMatch(header, current: EntityTag.of(current)) { throw DirectoryError.preconditionFailed("group") }
    }
}
