import Logging
import ServiceLifecycle

/// Hourly housekeeping: forgets `Idempotency-Key` answers older than 24 hours, and console sessions
/// and sign-in links that can no longer be used. Ends as soon as its task is cancelled or the server
/// shuts down.
struct MaintenanceService: Service {
    /// Where the answers are kept.
    let idempotency: any IdempotencyRepository
    /// Console sessions and sign-in links.
    let console: ConsoleService
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
                let sessions = try await console.purge()
                if sessions > 0 { logger.info("purged ended console sessions and expired sign-in links", metadata: ["count": "\(sessions)"]) }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("could not purge expired rows", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
            } catch {
                return
            }
        }
    }
}
