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
            now: services.clock.now()
        )
    }

    /// The list query of the current request, parsed once from the raw query string against `schema`.
    func listQuery(_ schema: ListSchema) throws -> ListQuery {
        try ListQuery.parse(RequestScope.current.rawQuery, schema: schema)
    }
}
