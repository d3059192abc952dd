import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// With `LOG_REQUESTS=1`: one info line per request once it is answered, with the method, the
/// route template (`/tenants/users/{id}`, never the ids themselves), the status, the duration and
/// the request id (from the logger's metadata, set by ``RequestIdMiddleware`` just before).
///
/// With `structured` (`LOG_FORMAT=json`) the line also carries `method`, `route`, `status` and
/// `duration_ms` as fields, and `trace_id`.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Whether to add the request's parts as metadata fields.
    var structured = false

    static var traceparent: HTTPField.Name { HTTPField.Name("traceparent")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, since: started)
            return response
        } catch {
            log(request, context: context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: started)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let route = context.endpointPath ?? request.uri.path
        let rounded = (milliseconds * 10).rounded() / 10
        guard structured else {
            context.logger.info("\(request.method) \(route) \(status) \(rounded) ms")
            return
        }
        var fields: Logger.Metadata = [
            "method": "\(request.method)", "route": "\(route)", "status": .stringConvertible(status), "duration_ms": .stringConvertible(rounded),
        ]
        // With tracing on, the logger's metadata provider adds the span's trace id; without it, the
        // trace id a caller sent in `traceparent` still ties this line to the caller's trace.
        if !DirectoryTracing.enabled, let traceId = DirectoryTracing.traceId(fromTraceparent: request.headers[Self.traceparent]) {
            fields["trace_id"] = .string(traceId)
        }
        context.logger.info("\(request.method) \(route) \(status) \(rounded) ms", metadata: fields)
    }
}
