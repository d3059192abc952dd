import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Gives every response an `X-Request-Id`: the client's own when it sent a sensible one, else a new id.
struct RequestIdMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headerName: HTTPField.Name { HTTPField.Name("X-Request-Id")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestId = Self.requestId(of: request)
        var context = context
        context.logger[metadataKey: "request_id"] = .string(requestId)
        var scope = RequestScope.current
        scope.requestId = requestId
        // Inside the tracing middleware's span: its context, for the jobs this request queues.
        scope.traceParent = DirectoryTracing.currentTraceparent()
        var response = try await RequestScope.$current.withValue(scope) {
            try await next(request, context)
        }
        response.headers[Self.headerName] = requestId
        return response
    }

    /// The client's id when it is short and printable, otherwise a fresh one.
    static func requestId(of request: Request) -> String {
        if let sent = request.headers[headerName], !sent.isEmpty, sent.utf8.count <= 128,
            sent.utf8.allSatisfy({ $0 > 32 && $0 < 127 })
        {
            return sent
        }
        return Identifiers.make()
    }
}
