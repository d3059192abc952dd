/// The durable job queue every background worker shares: jobs are written in the transaction of the
/// change that needs them, claimed with a lease (several workers and processes may claim at once;
/// each job goes to one), and settled after the attempt. A worker that dies releases its jobs when
/// their lease runs out, so delivery is at-least-once.
public protocol JobQueue: Sendable {
    /// Claims up to `limit` due jobs of `kind` for `lease` milliseconds.
    func claim(kind: String, limit: Int, lease: Millis, now: Millis) async throws -> [Job]
    /// Records the outcome of one attempt.
    func settle(_ id: String, outcome: JobOutcome, now: Millis) async throws
    /// The jobs still waiting, by kind (kinds with none waiting are left out).
    func backlog() async throws -> [JobBacklog]
}
