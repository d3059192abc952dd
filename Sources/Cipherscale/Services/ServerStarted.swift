import Synchronization

/// Opens once the HTTP server listens. Background workers wait for it before their first query, so
/// a server that cannot start (its port taken) stops before any worker has leased a connection: a
/// PostgreSQL pool closed while it is still opening a connection for a lease could wait forever.
public final class ServerStarted: Sendable {
    private let started = Mutex(false)

    /// A gate that is closed.
    public init() {}

    /// Marks the server as listening.
    func open() {
        started.withLock { $0 = true }
    }

    /// Returns once the server listens; throws `CancellationError` when the task is cancelled first.
    func wait() async throws {
        while !started.withLock({ $0 }) {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
