/// What the HTTP layer knows about the current request that generated handlers cannot see: the
/// request id, the authenticated caller, the raw query string (for `filter[...]` and `page[...]`),
/// the `If-Match` header, and the request span's `traceparent`.
///
/// The one task-local of the server: set by ``RequestIdMiddleware`` and ``AuthMiddleware`` around
/// the generated route handlers, and read only in `API/` and `Middleware/`. Handlers turn it into an
/// explicit ``OperationContext`` for the services.
public struct RequestScope: Sendable {
    /// The request's `X-Request-Id`.
    public var requestId: String?
    /// The caller, for `/tenants/...` routes.
    public var principal: Principal?
    /// The undecoded query string.
    public var rawQuery: String?
    /// The `If-Match` header.
    public var ifMatch: String?
    /// The request span's W3C `traceparent`, when tracing is on.
    public var traceParent: String?
    /// The prefix the API is served under (`BASE_PATH`, e.g. `/qa`; empty by default), for links.
    public var basePath = ""

    /// The scope of the request being handled.
    @TaskLocal public static var current = RequestScope()

    /// The caller, or 401 if the route was reached without one (a wiring error, never expected).
    static func principal() throws -> Principal {
        guard let principal = current.principal else { throw DirectoryError(.unauthorized, "The apikey header is required.") }
        return principal
    }
}
