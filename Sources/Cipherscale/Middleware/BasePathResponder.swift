import Hummingbird
import HummingbirdCore

/// Serves everything under `BASE_PATH` (`/qa`): a request outside the prefix is 404, one inside it
/// reaches the router with the prefix removed, so routes, middleware and the console see the same
/// paths as without a prefix; ``RequestScope/basePath`` carries the prefix for the links they write.
struct BasePathResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == DirectoryRequestContext {
    typealias Context = DirectoryRequestContext
    let basePath: String
    let inner: Inner

    func respond(to request: Request, context: Context) async throws -> Response {
        // Without a prefix (the default) every request goes straight through: nothing on the hot path.
        guard !basePath.isEmpty else { return try await inner.respond(to: request, context: context) }
        let path = request.uri.path
        guard path == basePath || path.hasPrefix(basePath + "/") else {
            return ProblemResponse.make(DirectoryError(.notFound, "Everything here is served under \(basePath)/; \(path) is not."))
        }
        var head = request.head
        let rest = String((head.path ?? "").dropFirst(basePath.count))
        head.path = rest.isEmpty || rest.hasPrefix("?") ? "/" + rest : rest
        var scope = RequestScope.current
        scope.basePath = basePath
        return try await RequestScope.$current.withValue(scope) {
            try await inner.respond(to: Request(head: head, body: request.body), context: context)
        }
    }
}
