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
    /// The per-key rate limit; nil when rate limiting is off.
    let limiter: KeyRateLimit?

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
            DirectoryMetrics.authFailure("rest")
            return ProblemResponse.make(error)
        }
        scope.principal = principal
        let decision = await limiter?.take(principal.keyId.rawValue)
        var response: Response
        if let decision, let limiter, let retryAfter = decision.retryAfter {
            DirectoryMetrics.rateLimited("api_key")
            response = ProblemResponse.make(
                DirectoryError(.tooManyRequests, "This API key made more than \(Int(limiter.rate)) requests per second; retry in \(retryAfter) s.")
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
            response.headers[HTTPField.Name("RateLimit-Policy")!] =
                "\(limiter.capacity);w=\(Int((Double(limiter.capacity) / limiter.rate).rounded()))"
        }
        return response
    }
}
