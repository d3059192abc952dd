/// Settings of a job worker (the mail outbox's, from `MAIL_*`).
public struct DeliverySettings: Sendable {
    /// How often the worker looks for due jobs.
    public var pollInterval: Duration = .seconds(1)
    /// Jobs claimed per round (one SMTP connection each round for mail).
    public var batchSize: Int = 50
    /// How long a claim lasts: a worker that dies mid-send releases its jobs after this.
    public var lease: Millis = 120_000
    /// First retry delay; each further retry doubles it, up to ``maxRetryDelay``.
    public var retryBase: Millis = 30_000
    /// The longest delay between attempts.
    public var maxRetryDelay: Millis = 3_600_000
    /// Attempts before a transiently failing job is given up as failed.
    public var maxAttempts: Int = 12

    /// The defaults.
    public init() {}

    /// The retry policy these settings describe.
    public var retryPolicy: RetryPolicy {
        RetryPolicy(baseDelay: retryBase, maxDelay: maxRetryDelay, maxAttempts: maxAttempts)
    }
}
