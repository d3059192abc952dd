import Logging
import OTel
import ServiceLifecycle
import Synchronization
import Tracing

/// Tracing through swift-distributed-tracing, exported by swift-otel over OTLP/HTTP (protobuf).
///
/// Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set: then no
/// tracer is bootstrapped, no tracing middleware is added and the storage layer makes no span, so
/// nothing is exported and no request pays for it. When on, each request is a server span named by
/// its route (Hummingbird's `TracingMiddleware`, which continues an incoming W3C `traceparent`),
/// each database statement a client span inside it, and each mail delivery a span that continues the
/// trace of the request that queued it. swift-otel reads the other standard `OTEL_*` variables itself
/// (`OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`, `OTEL_EXPORTER_OTLP_HEADERS`, ...).
public enum DirectoryTracing {
    private static let on = Atomic<Bool>(false)

    /// Whether spans are being recorded in this process (read before making a span per statement).
    static var enabled: Bool { on.load(ordering: .relaxed) }

    /// Whether the environment asks for traces to be exported.
    public static func requested(by environment: [String: String]) -> Bool {
        let endpoint = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ?? environment["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? ""
        return !endpoint.isEmpty && environment["OTEL_TRACES_EXPORTER"]?.lowercased() != "none"
    }

    private static let bootstrapped = Mutex<(any Service)?>(nil)

    /// Bootstraps the process's tracer with swift-otel's OTLP/HTTP exporter and returns the service
    /// that batches and exports spans (it must run, and it flushes what is left when it stops).
    /// Later calls return nil: a process has one tracer, run by the first server built in it.
    public static func bootstrapOnce(logger: Logger) throws -> (any Service)? {
        try bootstrapped.withLock { service in
            guard service == nil else { return nil }
            let made = try bootstrap(logger: logger)
            service = made
            return made
        }
    }

    private static func bootstrap(logger: Logger) throws -> any Service {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "cipherscale-directory"
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.diagnosticLogger = .custom(logger)
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        on.store(true, ordering: .relaxed)
        return backend.service
    }

    /// Adds the trace and span ids of the current span to every log line (`trace_id`, `span_id`).
    public static var loggingMetadata: Logger.MetadataProvider { OTel.makeLoggingMetadataProvider() }

    /// Runs one database statement in a client span named by its operation (`SELECT`, `INSERT`, ...)
    /// when tracing is on; otherwise just runs it.
    static func statement<T>(
        _ sql: String, system: String, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async throws -> T {
        guard enabled else { return try await body() }
        return try await withSpan(operationName(sql), ofKind: .client) { span in
            span.attributes["db.system.name"] = system
            span.attributes["db.query.text"] = sql
            return try await body()
        }
    }

    /// The current span's context as a W3C `traceparent` value, to store with a job the request
    /// queues; nil when tracing is off or no span is current.
    static func currentTraceparent() -> String? {
        guard enabled, let context = ServiceContext.current else { return nil }
        return traceparent(of: context)
    }

    /// A span context as a W3C `traceparent` value.
    static func traceparent(of context: ServiceContext) -> String? {
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: TraceCarrier())
        return carrier["traceparent"]
    }

    /// Starts the span of one job's delivery, continuing the trace of the request that queued it;
    /// nil when tracing is off. The caller ends it with the delivery's outcome.
    static func startDelivery(of job: Job, name: String) -> (any Span)? {
        guard enabled else { return nil }
        var context = ServiceContext.topLevel
        if let traceParent = job.traceParent {
            InstrumentationSystem.instrument.extract(["traceparent": traceParent], into: &context, using: TraceCarrier())
        }
        let span = startSpan(name, context: context, ofKind: .client)
        span.attributes["cipherscale.job.kind"] = job.kind
        span.attributes["cipherscale.job.id"] = job.id
        span.attributes["cipherscale.job.attempt"] = job.attempts
        return span
    }

    /// The statement's first keyword, upper-cased: the span's name (OpenTelemetry's `db.operation.name`).
    static func operationName(_ sql: String) -> String {
        let keyword = sql.drop { $0 == " " || $0 == "\n" || $0 == "(" }.prefix { $0.isLetter }
        return keyword.isEmpty ? "SQL" : keyword.uppercased()
    }

    /// The trace id of a W3C `traceparent` header value (`00-<32 hex>-<16 hex>-<2 hex>`), when valid.
    static func traceId(fromTraceparent value: String?) -> String? {
        guard let value else { return nil }
        let parts = value.split(separator: "-")
        guard parts.count >= 4, parts[1].count == 32, parts[1].allSatisfy(\.isHexDigit), parts[1] != String(repeating: "0", count: 32)
        else { return nil }
        return parts[1].lowercased()
    }
}
