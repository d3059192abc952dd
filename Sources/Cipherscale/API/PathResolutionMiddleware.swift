import Hummingbird
import OpenAPIRuntime

/// Resolves the id a `/tenants/{users|groups|roles|devices}/{id}/...` path names before a refusal of
/// the request's body stands: when the body is malformed (even before the generated code could
/// decode it) but the thing in the path does not exist in the caller's tenant, the answer is that 404.
///
/// Handlers check path ids before bodies themselves; this covers the bodies the generated code refuses
/// before any handler runs.
struct PathResolutionMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Where the path's ids are looked up.
    let services: DirectoryServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            guard Self.isInputRefusal(error), let notFound = await unknownPathId(request) else { throw error }
            throw notFound
        }
    }

    /// Whether `error` refuses the request's input (and so may hide an unknown path id).
    static func isInputRefusal(_ error: any Error) -> Bool {
        switch error {
        case let error as DirectoryError: return error.kind == .invalidInput || error.kind == .unsupportedMediaType
        case let error as ServerError:
            if let domain = error.underlyingError as? DirectoryError { return isInputRefusal(domain) }
            return error.operationInput == nil
        default: return false
        }
    }

    /// The 404 for the path's first id when it names nothing in the caller's tenant.
    private func unknownPathId(_ request: Request) async -> DirectoryError? {
        guard let principal = RequestScope.current.principal else { return nil }
        let parts = request.uri.path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "tenants" else { return nil }
        let context = OperationContext(tenantId: principal.tenantId, actor: .apiKey(principal.keyId.rawValue), now: services.clock.now())
        do {
            switch parts[1] {
            case "users": _ = try await services.users.user(Validation.pathId(parts[2], name: "id"), context: context)
            case "groups": _ = try await services.groups.group(Validation.pathId(parts[2], name: "id"), context: context)
            case "roles": _ = try await services.roles.role(Validation.pathId(parts[2], name: "id"), context: context)
            case "devices": _ = try await services.devices.device(Validation.pathId(parts[2], name: "id"), context: context)
            default: return nil
            }
        } catch let error as DirectoryError where error.kind == .notFound {
            return error
        } catch {
            return nil
        }
        return nil
    }
}
