import CoreMetrics
import Foundation
import Metrics
import Prometheus
import Synchronization

/// The process's metrics: swift-metrics, bootstrapped once with swift-prometheus's factory, so
/// Hummingbird's request metrics and ours land in one registry that `GET /metrics` exposes in the
/// Prometheus text format.
///
/// Names follow OpenTelemetry's semantic conventions where one exists (`http.server.request.duration`
/// becomes `http_server_request_duration_seconds`, its dimensions `http_route`, ...). swift-metrics
/// handles made before the bootstrap record nothing, so every entry point that makes some (the pool,
/// the router) calls ``bootstrap()`` first; it is idempotent.
public enum DirectoryMetrics {
    /// This build's version, as `cipherscale_build_info{version}` reports it.
    public static let version = "0.15.0"

    /// The registry every metric of the process is in.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in (prometheusName(name), labels.map { (prometheusName($0.0), $0.1) }) }
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
            .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        let info = registry.makeGauge(
            name: "cipherscale_build_info", labels: [("version", version), ("swift", swiftVersion)], help: "Always 1; the labels name the build.")
        info.set(to: 1.0)
        return registry
    }()

    private static let on = Atomic<Bool>(true)

    /// Whether the database pool records its timings (`METRICS=off` turns it off with the rest).
    static var recording: Bool {
        get { on.load(ordering: .relaxed) }
        set { on.store(newValue, ordering: .relaxed) }
    }

    /// Bootstraps swift-metrics once per process (later calls do nothing).
    public static func bootstrap() { _ = registry }

    /// Durations (swift-metrics timers) whose Prometheus name says the unit.
    static let durations: Set<String> = ["http.server.request.duration", "db.client.operation.duration"]

    /// A swift-metrics label as a Prometheus name: dots become underscores, durations end in `_seconds`.
    static func prometheusName(_ label: String) -> String {
        let name = label.replacingOccurrences(of: ".", with: "_")
        return durations.contains(label) ? name + "_seconds" : name
    }

    /// Every metric in the Prometheus text format.
    public static func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }

    static var swiftVersion: String {
        #if swift(>=6.3)
            return "6.3"
        #else
            return "6"
        #endif
    }

    // MARK: Counters named by the issue that asked for them

    /// A request refused by a rate limit (`limiter`: `api_key`, `invitation`, `console_signin`).
    static func rateLimited(_ limiter: String) {
        Counter(label: "cipherscale_rate_limited_total", dimensions: [("limiter", limiter)]).increment()
    }

    /// A request with a missing or invalid API key (`door`: `rest`, `scim`).
    static func authFailure(_ door: String) {
        Counter(label: "cipherscale_auth_failures_total", dimensions: [("door", door)]).increment()
    }
}
