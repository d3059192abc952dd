import Logging
import Metrics
import ServiceLifecycle

/// Runs the durable job queue for one kind of job: claims due jobs with a lease, hands them to its
/// handler, and settles each with the handler's outcome. At-least-once: a job is settled only after
/// the attempt, and a worker that dies releases its jobs when their lease runs out.
public struct JobWorker: Service {
    /// Where jobs wait.
    let queue: any JobQueue
    /// What the jobs do.
    let handler: any JobHandler
    /// Poll interval, batch size and lease.
    let settings: DeliverySettings
    /// The time of claims and settlements.
    let clock: any DirectoryClock
    let logger: Logger
    /// Opened when the HTTP server listens; nil runs at once (tests, tools).
    let startAfter: ServerStarted?

    /// A worker for `handler`'s kind of job.
    public init(
        queue: any JobQueue, handler: any JobHandler, settings: DeliverySettings, clock: any DirectoryClock, logger: Logger,
        startAfter: ServerStarted? = nil
    ) {
        self.queue = queue
        self.handler = handler
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.startAfter = startAfter
    }

    public func run() async throws {
        do {
            try await startAfter?.wait()
        } catch {
            return
        }
        // On graceful shutdown the batch in progress finishes (its jobs are settled, so none is done
        // twice) and the worker stops: what is still queued waits for the next start. Cancellation
        // ends the loop at once; the pause between rounds is cut short by either.
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                while !Task.isCancelled, !Task.isShuttingDownGracefully, try await processDue() == settings.batchSize {}
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.error("job round failed", metadata: ["kind": "\(handler.kind)", "error": "\(String(reflecting: error))"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.pollInterval) }
            } catch {
                // The pause ends early only on shutdown or cancellation.
                return
            }
        }
    }

    /// One round: claims and settles up to a batch of due jobs; answers how many it claimed.
    @discardableResult
    public func processDue() async throws -> Int {
        let jobs = try await queue.claim(kind: handler.kind, limit: settings.batchSize, lease: settings.lease, now: clock.now())
        guard !jobs.isEmpty else { return 0 }
        let outcomes = try await handler.perform(jobs, now: clock.now())
        let settledAt = clock.now()
        for (job, outcome) in zip(jobs, outcomes) {
            try await queue.settle(job.id, outcome: outcome, now: settledAt)
            if case .failed = outcome { Counter(label: "cipherscale_jobs_failed_total", dimensions: [("kind", job.kind)]).increment() }
        }
        return jobs.count
    }
}
