/// The jobs of one kind still waiting (queued or being attempted), for the operator's metrics.
public struct JobBacklog: Sendable, Equatable {
    /// The kind of job (`invitation`, `console_signin`).
    public var kind: String
    /// How many wait.
    public var pending: Int
    /// When the oldest of them was queued; nil when none waits.
    public var oldestQueuedAt: Millis?

    /// A backlog.
    public init(kind: String, pending: Int, oldestQueuedAt: Millis?) {
        self.kind = kind
        self.pending = pending
        self.oldestQueuedAt = oldestQueuedAt
    }
}
