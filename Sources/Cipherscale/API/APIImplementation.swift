import CipherscaleAPI
import OpenAPIRuntime

/// The generated `APIProtocol`, implemented by thin handlers: unpack the input, check path ids,
/// make one call into a service with an explicit ``OperationContext``, map the result. Errors are
/// thrown and turned into problem details by ``ProblemMiddleware``.
public struct APIImplementation: APIProtocol {
    /// The domain services.
    let services: DirectoryServices

    /// Handlers over `services`.
    public init(services: DirectoryServices) {
        self.services = services
    }

    /// The operation context of the current request: the caller's tenant and key, the request id,
    /// `If-Match`, and the time read once from the services' clock.
    func context() throws -> OperationContext {
        let scope = RequestScope.current
        let principal = try RequestScope.principal()
        return OperationContext(
            tenantId: principal.tenantId, actor: .apiKey(principal.keyId.rawValue), requestId: scope.requestId, ifMatch: scope.ifMatch,
            now: services.clock.now(), traceParent: scope.traceParent
        )
    }

    /// The list query of the current request, parsed once from the raw query string against `schema`.
    func listQuery(_ schema: ListSchema) throws -> ListQuery {
        try ListQuery.parse(RequestScope.current.rawQuery, schema: schema)
    }

    /// Refuses a query parameter the operation does not take (400 naming it), so a typo such as
    /// `limt` is not silently ignored. Lists that take filters check their own in ``ListQuery``.
    func refuseUnknownQueryParameters(_ known: [String]) throws {
        let unknown = QueryString.pairs(RequestScope.current.rawQuery).map(\.0).filter { !known.contains($0) }
        guard !unknown.isEmpty else { return }
        let hint = known.isEmpty ? "this operation takes no query parameters" : "known: \(known.joined(separator: ", "))"
        throw DirectoryError.invalid(
            "Unknown query parameter.", unknown.map { FieldError(.query($0), "is not a parameter of this operation; \(hint)") }
        )
    }
}
