import Logging
import ServiceLifecycle

/// Hourly housekeeping: forgets `Idempotency-Key` answers older than 24 hours. Ends as soon as its
/// task is cancelled or the server shuts down.
struct MaintenanceService: Service {
    /// Where the answers are kept.
    let idempotency: any IdempotencyRepository
    /// The time retention is measured against.
    let clock: any DirectoryClock
    let logger: Logger
    /// Opened when the HTTP server listens.
    let startAfter: ServerStarted

    func run() async throws {
        do {
            try await startAfter.wait()
        } catch {
            return
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let purged = try await idempotency.purge(now: clock.now())
                if purged > 0 { logger.info("purged expired idempotency keys", metadata: ["count": "\(purged)"]) }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("could not purge idempotency keys", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
            } catch {
                return
            }
        }
    }
}
