import Testing

@testable import Cipherscale

/// The token buckets behind `RATE_LIMIT` and `INVITATION_RATE_LIMIT`, with time moved by hand.
@Suite("Rate limiter")
struct RateLimiterTests {
    @Test("30 a minute allows a burst of 30, then one more every 2 seconds, never 60 a minute")
    func perMinuteLimit() {
        let limiter = RateLimiter(capacity: 30, period: .seconds(60))
        let start = ContinuousClock.now
        for _ in 0..<30 { #expect(limiter.take("client", now: start).retryAfter == nil) }
        let refused = limiter.take("client", now: start)
        #expect(refused.retryAfter == 2)
        #expect(limiter.take("client", now: start + .seconds(1)).retryAfter != nil)
        #expect(limiter.take("client", now: start + .seconds(2)).retryAfter == nil)
        #expect(limiter.take("client", now: start + .seconds(2)).retryAfter != nil)
        // Over a whole minute after the burst, 30 more get through, not 60.
        var allowed = 0
        for second in 3...62 where limiter.take("client", now: start + .seconds(second)).retryAfter == nil { allowed += 1 }
        #expect(allowed == 30)
        #expect(limiter.take("other", now: start).retryAfter == nil)
    }
}
