import Logging
import ServiceLifecycle

/// Keeps this process's ``PrincipalCache`` true to the database: live while PostgreSQL's key-change
/// notifications are being heard (emptied by each), suspended while they cannot be (a lost
/// connection; reconnecting every second), so a key revoked anywhere is never taken from the cache.
struct KeyChangeListener: Service {
    let keys: SQLKeyRepository
    let cache: PrincipalCache
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await keys.listenForChanges(onListening: { cache.resume() }, onChange: { cache.invalidate() })
                } catch {
                    if Task.isCancelled { break }
                    logger.warning(
                        "not hearing API key changes; keys are read on every request until heard again",
                        metadata: ["error": "\(String(reflecting: error))"])
                }
                cache.suspend()
                try? await Task.sleep(for: .seconds(1))
            }
        }
        cache.suspend()
    }
}
