/// Everything an operation needs to know about who asks and when, passed as a parameter from the
/// entry point (REST handler, command line, worker) to the service and on to the repository.
///
/// The actor and request id go into the audit log with the change; `ifMatch` is compared with the
/// target's current entity tag inside the transaction, before anything is written; `now` is the one
/// instant every time-dependent rule of the operation uses.
public struct OperationContext: Sendable {
    /// The tenant the operation is confined to.
    public var tenantId: TenantID
    /// Who acts: an API key, the holder of an invitation link, or the operator's command line.
    public var actor: AuditActor
    /// The request's `X-Request-Id`, when the operation comes from a request.
    public var requestId: String?
    /// The raw `If-Match` header of the request, when it had one.
    public var ifMatch: String?
    /// The time of the operation, read once from the injected clock.
    public var now: Millis
    /// The W3C `traceparent` of the request's span when tracing is on: kept with the jobs the
    /// operation queues, so that their delivery continues the request's trace.
    public var traceParent: String?

    /// A context for `tenantId`.
    public init(
        tenantId: TenantID, actor: AuditActor, requestId: String? = nil, ifMatch: String? = nil, now: Millis, traceParent: String? = nil
    ) {
        self.tenantId = tenantId
        self.actor = actor
        self.requestId = requestId
        self.ifMatch = ifMatch
        self.now = now
        self.traceParent = traceParent
    }
}
