import CoreMetrics
import Metrics

/// The database pool's metrics: how long each read, each transaction and each single autocommitted statement held a connection
/// (`db_client_operation_duration_seconds` by `db_operation_name`), and how many connections are in
/// use now (`db_client_connection_count{db_client_connection_state="used"}`).
struct PoolMetrics: Sendable {
    let reads: Timer
    let transactions: Timer
    let autocommits: Timer
    let inUse: Meter

    init(system: String) {
        DirectoryMetrics.bootstrap()
        reads = Timer(label: "db.client.operation.duration", dimensions: [("db.system.name", system), ("db.operation.name", "read")])
        transactions = Timer(
            label: "db.client.operation.duration", dimensions: [("db.system.name", system), ("db.operation.name", "transaction")])
        autocommits = Timer(
            label: "db.client.operation.duration", dimensions: [("db.system.name", system), ("db.operation.name", "autocommit")])
        inUse = Meter(label: "db.client.connection.count", dimensions: [("db.system.name", system), ("db.client.connection.state", "used")])
    }

    /// Runs `body` (an operation, waiting for its connection included) and records its duration in `timer`.
    func time<T>(_ timer: Timer, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T) async rethrows -> T {
        guard DirectoryMetrics.recording else { return try await body() }
        let start = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - start
            timer.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
        return try await body()
    }

    /// Runs `body` on a connection it holds, counting the connection in use meanwhile.
    func holding<T>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T) async rethrows -> T {
        guard DirectoryMetrics.recording else { return try await body() }
        inUse.increment()
        defer { inUse.decrement() }
        return try await body()
    }
}
