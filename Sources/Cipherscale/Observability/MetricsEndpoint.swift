import Hummingbird
import Logging
import Metrics
import NIOCore

/// `GET /metrics`: every metric of the process in the Prometheus text format, with the job queue's
/// backlog read at scrape time (`cipherscale_jobs_pending`, `cipherscale_jobs_oldest_age_seconds` by
/// kind), so the gauges are exact whenever Prometheus looks.
struct MetricsEndpoint: Sendable {
    /// Where jobs wait.
    let jobs: any JobQueue
    /// The time the backlog's age is measured at.
    let clock: any DirectoryClock

    /// The kinds of job reported even when none waits.
    static let kinds = ["invitation", "console_signin"]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/metrics") { _, context in await response(logger: context.logger) }
    }

    func response(logger: Logger) async -> Response {
        do {
            let backlog = try await jobs.backlog()
            let now = clock.now()
            for kind in Set(Self.kinds + backlog.map(\.kind)).sorted() {
                let entry = backlog.first { $0.kind == kind }
                Gauge(label: "cipherscale_jobs_pending", dimensions: [("kind", kind)]).record(entry?.pending ?? 0)
                let oldest = entry?.oldestQueuedAt ?? now
                Gauge(label: "cipherscale_jobs_oldest_age_seconds", dimensions: [("kind", kind)]).record(Double(max(0, now - oldest)) / 1000)
            }
        } catch {
            // The other metrics still answer; the backlog gauges keep their last values.
            logger.warning("metrics: cannot read the job backlog", metadata: ["error": "\(String(reflecting: error))"])
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: DirectoryMetrics.exposition())))
    }
}
