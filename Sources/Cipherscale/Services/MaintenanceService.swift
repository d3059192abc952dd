import Logging
import ServiceLifecycle

/// Hourly housekeeping: forgets `Idempotency-Key` answers older than 24 hours.
///
/// Ends on graceful shutdown and when its task is cancelled (the service group cancels every
/// service when one of them fails, e.g. when the HTTP server cannot bind its port). A failed
/// purge is logged and retried an hour later; a cancelled one is not an error, it is the end.
struct MaintenanceService: Service {
    let store: DirectoryStore
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let purged = try await store.purgeIdempotentRequests()
                if purged > 0 { logger.info("purged expired idempotency keys", metadata: ["count": "\(purged)"]) }
            } catch is CancellationError {
                return
            } catch {
                // A query cut short by cancellation fails with the driver's own error: still the end.
                if Task.isCancelled { return }
                logger.warning("could not purge idempotency keys", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
            } catch {
                // The pause ends early only on shutdown or cancellation.
                return
            }
        }
    }
}
