/// What the HTTP layer knows about the current request that generated handlers cannot see:
/// the authenticated caller and the raw query string (for `filter[...]` and `page[...]`).
///
/// Set by ``AuthMiddleware`` as a task-local around the generated route handlers.
public struct RequestScope: Sendable {
    /// The caller, for `/tenants/...` routes.
    public var principal: Principal?
    /// The undecoded query string.
    public var rawQuery: String?

    @TaskLocal public static var current = RequestScope()
    /// The id of the request being handled (see ``RequestIdMiddleware``).
    @TaskLocal public static var requestId: String?

    /// The caller, or 401 if the route was reached without one (a wiring error, never expected).
    static func principal() throws -> Principal {
        guard let principal = current.principal else { throw DirectoryError(.unauthorized, "The apikey header is required.") }
        return principal
    }
}
