import ServiceLifecycle

/// Keeps the database pool for the life of the server and closes it after the HTTP server has drained.
struct DatabaseService: Service {
    /// The pool to close last.
    let pool: DatabasePool

    func run() async throws {
        try? await gracefulShutdown()
        await pool.close()
    }
}
