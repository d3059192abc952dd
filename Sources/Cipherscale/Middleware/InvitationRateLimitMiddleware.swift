import HTTPTypes
import Hummingbird
import NIOCore

/// Limits `/invitations/...` (where the token is the credential) per client address, so guessing
/// tokens is slow as well as hopeless (they carry 256 bits). 429 with `Retry-After` when exceeded.
struct InvitationRateLimitMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let limiter: RateLimiter?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let limiter, request.uri.path.hasPrefix("/invitations/") else { return try await next(request, context) }
        let client = context.remoteAddress?.ipAddress ?? "unknown"
        if let retryAfter = limiter.take(client).retryAfter {
            DirectoryMetrics.rateLimited("invitation")
            var response = ProblemResponse.make(
                DirectoryError(.tooManyRequests, "Too many invitation requests from this address; retry in \(retryAfter) s."), for: request
            )
            response.headers[.retryAfter] = String(retryAfter)
            return response
        }
        return try await next(request, context)
    }
}
