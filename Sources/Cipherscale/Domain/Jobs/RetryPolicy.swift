/// How a failing job is retried: capped exponential backoff, then given up.
public struct RetryPolicy: Sendable, Equatable {
    /// First retry delay; each further retry doubles it, up to ``maxDelay``.
    public var baseDelay: Millis
    /// The longest delay between attempts.
    public var maxDelay: Millis
    /// Attempts before a transiently failing job is given up as failed.
    public var maxAttempts: Int

    /// A policy with the given limits.
    public init(baseDelay: Millis = 30_000, maxDelay: Millis = 3_600_000, maxAttempts: Int = 12) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxAttempts = maxAttempts
    }

    /// The delay before the next attempt after `attempts` attempts.
    public func delay(afterAttempts attempts: Int) -> Millis {
        let exponent = min(max(attempts - 1, 0), 30)
        return min(maxDelay, baseDelay * (Millis(1) << Millis(exponent)))
    }

    /// The outcome of a transient failure of `job` at `now`: a retry after the backoff, or failed
    /// with the last error once the attempts are used up.
    public func outcome(ofTransientFailure error: String, job: Job, now: Millis) -> JobOutcome {
        if job.attempts >= maxAttempts { return .failed(error: "gave up after \(job.attempts) attempts: \(error)") }
        return .retry(error: error, at: now + delay(afterAttempts: job.attempts))
    }
}
