import Logging

/// The per-API-key request limit, shared by the REST API and SCIM: `capacity` requests at once,
/// refilled at `rate` a second.
///
/// `RATE_LIMIT_SCOPE=process` (the default) keeps the buckets in this process's memory, so N
/// processes allow N times the limit; `cluster` keeps them in PostgreSQL (``SQLRateLimitBuckets``,
/// one statement per request), so they allow it once. When the database cannot answer, the request
/// goes ahead (logged): a limiter that failed closed would turn a database hiccup into refusals of
/// every key.
struct KeyRateLimit: Sendable {
    /// Where the buckets are kept.
    enum Scope: Sendable {
        case process(RateLimiter)
        case cluster(SQLRateLimitBuckets)
    }

    let capacity: Int
    let rate: Double
    let scope: Scope
    let logger: Logger

    /// `perSecond` requests a second per key, bursts of twice that.
    init(perSecond: Int, cluster: SQLRateLimitBuckets?, logger: Logger) {
        capacity = 2 * perSecond
        rate = Double(perSecond)
        scope = cluster.map { .cluster($0) } ?? .process(RateLimiter(capacity: capacity, rate: rate))
        self.logger = logger
    }

    /// Takes one request from `key`'s bucket.
    func take(_ key: String) async -> RateLimiter.Decision {
        switch scope {
        case .process(let limiter):
            return limiter.take(key)
        case .cluster(let buckets):
            do {
                return try await buckets.take("key:" + key, capacity: capacity, rate: rate)
            } catch {
                logger.warning("rate limit not checked: the database did not answer", metadata: ["error": "\(String(reflecting: error))"])
                return RateLimiter.Decision(retryAfter: nil, remaining: capacity, resetSeconds: 0)
            }
        }
    }
}
