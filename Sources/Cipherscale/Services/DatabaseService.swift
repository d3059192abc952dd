import ServiceLifecycle

/// Keeps the database pool for the life of the server and closes it after the HTTP server has drained.
///
/// It waits for graceful shutdown (it is the first service, so the last to be told) or for its task
/// to be cancelled (the group cancels every service when one fails); either way the pool is closed
/// and the service ends.
struct DatabaseService: Service {
    /// The pool to close last.
    let pool: DatabasePool

    func run() async throws {
        // Throws `CancellationError` when cancelled instead of shut down: the pool closes all the same.
        try? await gracefulShutdown()
        // Closing runs in a task of its own: in this (possibly cancelled) task, SQLiteNIO refuses to
        // start the close and the connections would be left open.
        let pool = self.pool
        await Task { await pool.close() }.value
    }
}
