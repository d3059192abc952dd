import SQLKit

/// The audit log in SQL: read through the shared ``ListPager``; written by ``SQLStore/audit(_:_:context:)``.
public struct SQLAuditRepository: AuditRepository {
    /// The shared store.
    let store: SQLStore

    /// A repository over `store`.
    public init(store: SQLStore) {
        self.store = store
    }

    /// Column mapping of the audit log; `target` matches the target or the related id.
    static let list = ListSQL(
        columns: [
            "id": ListColumn("a.id"),
            "target": ListColumn(
                derived: "a.target_id",
                predicate: { value in
                    guard case .text(let id) = value else { return "1 = 0" }
                    return "(a.target_id = \(bind: id) OR a.related_id = \(bind: id))"
                }
            ),
            "actorId": ListColumn("a.actor_id", nullable: true),
            "action": ListColumn("a.action"),
            "occurredAt": ListColumn("a.occurred_at"),
        ],
        searchColumns: [],
        idColumn: "a.id"
    )

    private static let columns =
        "a.id, a.occurred_at, a.actor_type, a.actor_id, a.action, a.target_type, a.target_id, a.related_type, a.related_id, a.changes, a.request_id"

    public func events(_ query: ListQuery, exactTotal: Bool, context: OperationContext) async throws -> Page<AuditEvent> {
        try await store.pool.read { db in
            try await ListPager(list: Self.list, schema: .audit, kind: store.pool.kind).page(
                db, query: query, columns: Self.columns, from: "audit_events a", scope: "a.tenant_id = \(bind: context.tenantId.rawValue)",
                countTotal: exactTotal, decode: Self.event, id: \.id
            )
        }
    }

    private static func event(_ row: any SQLRow) throws -> AuditEvent {
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
