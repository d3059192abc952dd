/// A signed-in console session: one user of one tenant, as they are now.
public struct ConsoleSession: Sendable {
    /// The session's id (never its token).
    public var id: String
    /// The signed-in user, loaded for this request (roles and status are current).
    public var user: User
    /// The user's tenant.
    public var tenantId: TenantID
    /// What the user may do.
    public var access: ConsoleAccess
    /// The token every form of this session must carry (derived from the session's token).
    public var csrfToken: String

    /// Whether the session may change anything.
    public var canWrite: Bool { access == .full }

    /// The context of an operation made through this session: the user is the actor.
    public func context(requestId: String?, now: Millis, traceParent: String? = nil) -> OperationContext {
        OperationContext(tenantId: tenantId, actor: .user(user.id.rawValue), requestId: requestId, now: now, traceParent: traceParent)
    }
}
