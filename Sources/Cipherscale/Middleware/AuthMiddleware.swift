import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Guards `/tenants/...`: the `apikey` header must name a valid key (401), the key must be within its
/// rate limit (429), and a read-only key may only read (403).
///
/// Runs outside ``ProblemMiddleware`` so that it sees every final answer: it answers its own refusals
/// as problems, and puts the `RateLimit-*` headers on every response to a valid key. It completes
/// ``RequestScope`` (caller, raw query, `If-Match`) for the generated handlers.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Authenticates the presented key.
    let keys: KeyService
    /// Per-key token buckets; nil when rate limiting is off.
    let limiter: RateLimiter?

    static var apiKeyHeader: HTTPField.Name { HTTPField.Name("apikey")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var scope = RequestScope.current
        scope.rawQuery = request.uri.query
        scope.ifMatch = request.headers[.ifMatch]
        let path = request.uri.path
        guard path == "/tenants" || path.hasPrefix("/tenants/") else {
            return try await RequestScope.$current.withValue(scope) { try await next(request, context) }
        }
        let principal: Principal
        do {
            principal = try await keys.authenticate(apiKey: request.headers[Self.apiKeyHeader])
        } catch let error as DirectoryError {
            return ProblemResponse.make(error)
        }
        scope.principal = principal
        let decision = limiter?.take(principal.keyId.rawValue)
        var response: Response
        if let decision, let limiter, let retryAfter = decision.retryAfter {
            response = ProblemResponse.make(
                DirectoryError(.tooManyRequests, "This API key made more than \(limiter.rate) requests per second; retry in \(retryAfter) s.")
            )
            response.headers[.retryAfter] = String(retryAfter)
        } else if principal.readOnly && request.method != .get && request.method != .head {
            response = ProblemResponse.make(DirectoryError(.forbidden, "This API key is read-only."))
        } else {
            response = try await RequestScope.$current.withValue(scope) { try await next(request, context) }
        }
        if let decision, let limiter {
            response.headers[HTTPField.Name("RateLimit-Limit")!] = String(limiter.capacity)
            response.headers[HTTPField.Name("RateLimit-Remaining")!] = String(decision.remaining)
            response.headers[HTTPField.Name("RateLimit-Reset")!] = String(decision.resetSeconds)
            response.headers[HTTPField.Name("RateLimit-Policy")!] = "\(limiter.capacity);w=\(limiter.capacity / max(limiter.rate, 1))"
        }
        return response
    }
}

/// Content rules for every request before the generated code sees it:
/// - bodies over ``maxBodyBytes`` are 413 (the body is collected here, so the limit holds for chunked bodies too);
/// - a body that is not JSON is 415; an `Accept` that allows neither JSON nor problem+json is 406;
/// - `Accept` is then removed, because the generated code would otherwise turn a mismatch into a 500
///   (errors are always problem+json, successes always JSON).
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The largest request body accepted: 1 MiB.
    static var maxBodyBytes: Int { 1 << 20 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        if let accept = request.headers[.accept], !Self.acceptsJSON(accept),
            !(request.uri.path.hasPrefix("/invitations/") && accept.lowercased().contains("text/html"))
        {
            throw DirectoryError(.notAcceptable, "This API answers application/json (and application/problem+json for errors).")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maxBodyBytes {
            throw HTTPError(.contentTooLarge)
        }
        let body = try await request.collectBody(upTo: Self.maxBodyBytes)
        if body.readableBytes > 0 {
            let type = request.headers[.contentType]?.lowercased() ?? ""
            let isJSON = type.hasPrefix("application/json") || (type.hasPrefix("application/") && type.contains("+json"))
            // HTML forms post here: the invitation acceptance page.
            let isForm = type.hasPrefix("application/x-www-form-urlencoded") && request.uri.path.hasPrefix("/invitations/")
            if !isJSON && !isForm {
                throw DirectoryError(.unsupportedMediaType, "The request body must be application/json.")
            }
            if isJSON && !StrictJSON.isValid(body.readableBytesView) {
                throw DirectoryError(.invalidInput, "The request body is not valid JSON.")
            }
        }
        var head = request.head
        head.headerFields[.accept] = nil
        var forwarded = body
        if body.readableBytes == 0, head.headerFields[.contentType] == nil, request.method == .post,
            request.uri.path.hasSuffix("/heartbeat")
        {
            // The heartbeat's body is optional, but the generated code decodes an empty body as JSON
            // and fails: an absent body means "no updates", which is what `{}` says.
            forwarded = ByteBuffer(string: "{}")
            head.headerFields[.contentType] = "application/json"
        }
        return try await next(Request(head: head, body: .init(buffer: forwarded)), context)
    }

    static func acceptsJSON(_ accept: String) -> Bool {
        accept.split(separator: ",").contains { item in
            let type = item.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            return type == "*/*" || type == "application/*" || type == "application/json" || type == "application/problem+json"
                || type.isEmpty
        }
    }
}
