/// Which audit events to read, as the client asked (checked by ``AuditService``).
public struct AuditFilter: Sendable {
    /// Matches the event's target or related id.
    public var targetId: String?
    public var actorId: String?
    public var action: String?
    /// Inclusive lower and exclusive upper bound of `occurredAt`.
    public var since: Millis?
    public var until: Millis?
    /// Page size: 1 to ``AuditService/maxLimit`` (default ``AuditService/defaultLimit``; larger values are clamped).
    public var limit: Int?
    public var offset: Int?
    /// The previous page's `nextCursor`.
    public var after: String?

    /// A filter with the given parameters.
    public init(
        targetId: String? = nil, actorId: String? = nil, action: String? = nil, since: Millis? = nil, until: Millis? = nil,
        limit: Int? = nil, offset: Int? = nil, after: String? = nil
    ) {
        self.targetId = targetId
        self.actorId = actorId
        self.action = action
        self.since = since
        self.until = until
        self.limit = limit
        self.offset = offset
        self.after = after
    }
}
