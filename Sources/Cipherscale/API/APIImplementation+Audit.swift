import CipherscaleAPI
import Foundation
import OpenAPIRuntime

extension APIImplementation {
    public func listAuditEvents(_ input: Operations.ListAuditEvents.Input) async throws -> Operations.ListAuditEvents.Output {
        try refuseUnknownQueryParameters(["targetId", "actorId", "action", "since", "until", "limit", "offset", "after"])
        let query = input.query
        let filter = AuditFilter(
            targetId: query.targetId, actorId: query.actorId, action: query.action, since: query.since.map(Millis.init(date:)),
            until: query.until.map(Millis.init(date:)), limit: query.limit.map { Int($0) }, offset: query.offset.map { Int($0) }, after: query.after
        )
        let page = try await services.audit.events(filter, readOnly: RequestScope.principal().readOnly, context: context())
        return .ok(
            .init(
                body: .json(
                    .init(
                        data: try page.items.map(Components.Schemas.AuditEvent.init), total: page.total, page: page.number, limit: page.limit,
                        hasNext: page.hasNext, hasPrevious: page.hasPrevious, nextCursor: page.nextCursor
                    ))))
    }
}

extension Millis {
    init(date: Date) { self = Millis((date.timeIntervalSince1970 * 1000).rounded()) }
}

extension Components.Schemas.AuditEvent {
    init(_ event: AuditEvent) throws {
        let changes = try JSONDecoder().decode(Components.Schemas.AuditEvent.ChangesPayload.self, from: Data(event.changes.utf8))
        self.init(
            id: event.id, occurredAt: Date(millis: event.occurredAt),
            actor: .init(_type: .init(rawValue: event.actorType) ?? .system, id: event.actorId),
            action: event.action, target: .init(_type: event.targetType, id: event.targetId),
            related: event.relatedId.map { .init(_type: event.relatedType ?? "", id: $0) },
            changes: changes, requestId: event.requestId
        )
    }
}
