/// What became of one attempt at a job.
public enum JobOutcome: Sendable, Equatable {
    /// Done.
    case done
    /// A temporary failure: try again at the given time.
    case retry(error: String, at: Millis)
    /// A permanent failure, or the last attempt: never retried; the error is kept.
    case failed(error: String)
    /// Nothing to do any more (the invitation was accepted, replaced or expired first).
    case cancelled(reason: String)
}
