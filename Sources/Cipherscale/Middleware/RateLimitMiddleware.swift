import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Token buckets per client: `capacity` requests at once, refilled at `capacity` per `period`.
/// In memory, per process: several processes each apply the limit.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let capacity: Int
    let period: Duration
    private let buckets = Mutex<[String: Bucket]>([:])

    init(capacity: Int, period: Duration) {
        self.capacity = capacity
        self.period = period
    }

    /// Takes one token for `key`; returns nil when allowed, else the seconds until a token is back.
    func take(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        let perSecond = Double(capacity) / (Double(period.components.seconds) + Double(period.components.attoseconds) / 1e18)
        return buckets.withLock { buckets in
            if buckets.count > 100_000 {
                // Forget clients whose buckets have refilled; they start full anyway.
                buckets = buckets.filter { now - $0.value.updated < period }
            }
            var bucket = buckets[key] ?? Bucket(tokens: Double(capacity), updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(Double(capacity), bucket.tokens + seconds * perSecond)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up)))
        }
    }
}

/// Limits `/invitations/...` (where the token is the credential) per client address, so guessing
/// tokens is slow as well as hopeless (they carry 256 bits). 429 with `Retry-After` when exceeded.
struct InvitationRateLimitMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let limiter: RateLimiter?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let limiter, request.uri.path.hasPrefix("/invitations/") else { return try await next(request, context) }
        let client = context.remoteAddress?.ipAddress ?? "unknown"
        if let retryAfter = limiter.take(client) {
            var response = ProblemResponse.make(
                DirectoryError(.tooManyRequests, "Too many invitation requests from this address; retry in \(retryAfter) s.")
            )
            response.headers[.retryAfter] = String(retryAfter)
            return response
        }
        return try await next(request, context)
    }
}

/// The request context of the directory: Hummingbird's basics plus the client's address.
public struct DirectoryRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
