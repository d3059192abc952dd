/// The work of one kind of job, done by a ``JobWorker`` on the jobs it claims.
public protocol JobHandler: Sendable {
    /// The kind of job handled (`invitation`).
    var kind: String { get }
    /// Attempts a batch of claimed jobs at `now`; one outcome per job, in order.
    func perform(_ jobs: [Job], now: Millis) async throws -> [JobOutcome]
}
