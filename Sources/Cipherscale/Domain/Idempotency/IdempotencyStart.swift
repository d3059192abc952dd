/// What to do with a POST that carries an `Idempotency-Key`.
public enum IdempotencyStart: Sendable, Equatable {
    /// First time (or the earlier attempt was abandoned): run it and store the answer.
    case run
    /// Answered before: send this answer again.
    case replay(status: Int, headers: [String: String], body: String)
    /// The key was used for a different request (another body, path or method).
    case mismatch
    /// The first request with this key is still running.
    case inProgress
}
