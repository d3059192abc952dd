/// Reading the audit log.
public struct AuditService: Sendable {
    /// Where the log is read.
    let audit: any AuditRepository
    /// The page size without `limit`.
    public static let defaultLimit = 50
    /// The largest page.
    public static let maxLimit = 200

    /// A service over `audit`.
    public init(audit: any AuditRepository) {
        self.audit = audit
    }

    /// A page of the audit log, newest first, in the envelope of every list. Admin keys only.
    /// Without `exactTotal`, the page's total is -1 (the console pages by cursor and shows no total).
    public func events(_ filter: AuditFilter, readOnly: Bool, exactTotal: Bool = true, context: OperationContext) async throws
        -> Page<AuditEvent>
    {
        if readOnly { throw DirectoryError.forbidden("The audit log is readable with an admin key only.") }
        return try await audit.events(Self.query(filter), exactTotal: exactTotal, context: context)
    }

    /// The list query of an audit filter, or 400 naming each bad parameter.
    static func query(_ filter: AuditFilter) throws(DirectoryError) -> ListQuery {
        var errors: [FieldError] = []
        var query = ListQuery(
            limit: min(filter.limit ?? defaultLimit, maxLimit), offset: filter.offset ?? 0, sort: ListSchema.audit.defaultSort,
            filters: [], search: nil, after: nil
        )
        func uuid(_ value: String?, _ name: String, field: String) {
            guard let value else { return }
            if let id = Identifiers.canonical(value) {
                query.filters.append(ListFilter(field: field, op: .eq, values: [.text(id)]))
            } else {
                errors.append(FieldError(.query(name), "'\(value)' is not a UUID"))
            }
        }
        uuid(filter.targetId, "targetId", field: "target")
        uuid(filter.actorId, "actorId", field: "actorId")
        if let action = filter.action {
            if action.isEmpty || action.utf8.count > 64 { errors.append(FieldError(.query("action"), "must be 1 to 64 characters")) }
            // PostgreSQL text cannot hold NUL: refuse it as input instead of failing the query.
            if action.contains("\u{0}") {
                errors.append(FieldError(.query("action"), "must not contain NUL characters"))
            } else if !action.isEmpty && action.utf8.count <= 64 && AuditAction(rawValue: action) == nil {
                let known = AuditAction.allCases.map(\.rawValue).joined(separator: ", ")
                errors.append(FieldError(.query("action"), "'\(action)' is not an action the audit log records; actions: \(known)"))
            }
            query.filters.append(ListFilter(field: "action", op: .eq, values: [.text(action)]))
        }
        if let since = filter.since { query.filters.append(ListFilter(field: "occurredAt", op: .gte, values: [.millis(since)])) }
        if let until = filter.until { query.filters.append(ListFilter(field: "occurredAt", op: .lt, values: [.millis(until)])) }
        if let limit = filter.limit, limit < 1 { errors.append(FieldError(.query("limit"), "must be at least 1")) }
        if let offset = filter.offset {
            if offset < 0 { errors.append(FieldError(.query("offset"), "must be a non-negative integer")) }
            if offset > ListQuery.maxOffset { errors.append(FieldError(.query("offset"), "must be at most \(ListQuery.maxOffset)")) }
        }
        if let after = filter.after, !after.isEmpty, errors.isEmpty {
            if query.offset > 0 {
                errors.append(FieldError(.query("after"), "cannot be combined with an offset; page either with offset or with after"))
            } else if let id = Identifiers.canonical(after) {
                // The cursor of earlier versions: the id of the page's last event.
                query.after = ListCursor(values: [.text(id)], id: id)
            } else if let cursor = ListCursor.decode(after, for: query, schema: .audit) {
                query.after = cursor
            } else {
                errors.append(FieldError(.query("after"), "is not a nextCursor of this list with the same filters"))
            }
        }
        if !errors.isEmpty { throw DirectoryError.invalid("The audit query is not valid.", errors) }
        return query
    }
}
