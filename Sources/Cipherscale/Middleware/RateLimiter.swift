import Synchronization

/// Token buckets per client: up to `capacity` requests at once, refilled at `rate` per second.
/// In memory, per process: several processes each apply the limit.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// What one request got from its bucket.
    struct Decision {
        /// Seconds until a token is back, when the request is refused; nil when it may go ahead.
        var retryAfter: Int?
        /// Whole tokens left after this request.
        var remaining: Int
        /// Seconds until the bucket is full again.
        var resetSeconds: Int
    }

    let capacity: Int
    /// Tokens added per second (fractional: 30 a minute is 0.5 a second).
    let rate: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    init(capacity: Int, rate: Double) {
        self.capacity = capacity
        self.rate = rate
    }

    /// `capacity` requests per `period`, refilled evenly (the invitation pages' limit), so a client
    /// gets `capacity` at once and then `capacity` per `period`, never more.
    convenience init(capacity: Int, period: Duration) {
        self.init(capacity: capacity, rate: Double(capacity) / Self.seconds(period))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Takes one token for `key`.
    func take(_ key: String, now: ContinuousClock.Instant = .now) -> Decision {
        let perSecond = rate
        let fullAfter = Duration.seconds(Double(capacity) / perSecond)
        return buckets.withLock { buckets in
            if buckets.count > 100_000 {
                // Forget clients whose buckets have refilled; they start full anyway.
                buckets = buckets.filter { now - $0.value.updated < fullAfter }
            }
            var bucket = buckets[key] ?? Bucket(tokens: Double(capacity), updated: now)
            bucket.tokens = min(Double(capacity), bucket.tokens + Self.seconds(now - bucket.updated) * perSecond)
            bucket.updated = now
            var retryAfter: Int?
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
            } else {
                retryAfter = max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up)))
            }
            buckets[key] = bucket
            let reset = Int(((Double(capacity) - bucket.tokens) / perSecond).rounded(.up))
            return Decision(retryAfter: retryAfter, remaining: max(0, Int(bucket.tokens)), resetSeconds: reset)
        }
    }
}
