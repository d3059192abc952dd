import Foundation
import HTTPTypes
import Logging
import SQLKit
import Synchronization
import Testing

@testable import Cipherscale

/// What an operator sees: readiness, and metrics (exact counts per process are checked over a live
/// socket by `scripts/smoke.py`; these suites share one process's registry).
@Suite("Readiness and metrics")
struct ObservabilityTests {
    @Test("GET /ready is 200 with every migration applied, and 503 naming a missing one")
    func readiness() async throws {
        try await withWorld { world in
            let ready = try await world.request(.get, "/ready", auth: .none)
            #expect(ready.status == .ok, "\(ready.text)")
            #expect(ready.object["status"] as? String == "ready")
            #expect(ready.object["migrations"] as? Int == Migrator.all.count)
            let last = Migrator.all.last!.name
            try await world.pool.transaction { db in try await db.raw("DELETE FROM schema_migrations WHERE name = \(bind: last)").run() }
            let missing = try await world.request(.get, "/ready", auth: .none)
            missing.expectProblem(.serviceUnavailable)
            #expect(missing.problemDetail.contains(last))
            #expect(try await world.request(.get, "/health", auth: .none).status == .ok, "liveness is not readiness")
        }
    }

    @Test("GET /metrics is Prometheus text with the build, HTTP, database and job metrics, labelled by route template")
    func metrics() async throws {
        try await withWorld { world in
            let user = try await world.createUsers(["metered@example.com"])[0]
            #expect(try await world.request(.get, "/tenants/users/\(user)").status == .ok)
            let reply = try await world.request(.get, "/metrics", auth: .none)
            #expect(reply.status == .ok)
            #expect(reply.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = reply.text
            for expected in [
                "# TYPE http_server_request_duration_seconds histogram", "http_route=\"/tenants/users/", "http_response_status_code=\"200\"",
                "cipherscale_build_info{", "db_client_operation_duration_seconds_bucket{", "db_client_connection_count{",
                "cipherscale_jobs_pending{kind=\"invitation\"}", "cipherscale_jobs_oldest_age_seconds{kind=\"console_signin\"}",
            ] {
                #expect(text.contains(expected), "\(expected)")
            }
            #expect(!text.contains(user), "no raw id in a label")
        }
    }

    @Test("METRICS_PORT must be a port")
    func metricsPort() throws {
        #expect(try AppConfiguration.fromEnvironment(["METRICS_PORT": "9100"]).metricsPort == 9100)
        #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment(["METRICS_PORT": "70000"]) }
        #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment(["METRICS_PORT": "x"]) }
        #expect(try AppConfiguration.fromEnvironment([:]).metrics == true)
        #expect(try AppConfiguration.fromEnvironment(["METRICS": "off"]).metrics == false)
        #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment(["METRICS": "maybe"]) }
    }

    @Test("RATE_LIMIT_SCOPE is process or cluster; an OTLP endpoint turns tracing on")
    func scopeAndTracingSettings() throws {
        #expect(try AppConfiguration.fromEnvironment([:]).rateLimitCluster == false)
        #expect(try AppConfiguration.fromEnvironment(["RATE_LIMIT_SCOPE": "cluster"]).rateLimitCluster == true)
        #expect(try AppConfiguration.fromEnvironment(["RATE_LIMIT_SCOPE": "Process"]).rateLimitCluster == false)
        #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment(["RATE_LIMIT_SCOPE": "global"]) }
        #expect(try AppConfiguration.fromEnvironment([:]).tracing == false)
        #expect(try AppConfiguration.fromEnvironment(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]).tracing == true)
        #expect(try AppConfiguration.fromEnvironment(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"]).tracing)
        #expect(
            try AppConfiguration.fromEnvironment(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_EXPORTER": "none"]).tracing
                == false)
    }

    /// PostgreSQL only: the cluster scope is refused on SQLite (one file has one machine's processes).
    @Test(
        "the cluster rate limit's buckets in PostgreSQL hand out each token once, even to concurrent takers",
        .enabled(if: TestDatabase.isPostgres))
    func clusterBuckets() async throws {
        try await withWorld { world in
            let buckets = SQLRateLimitBuckets(store: world.store)
            // A rate so slow that nothing refills during the test.
            var decisions: [RateLimiter.Decision] = []
            for _ in 0..<4 { decisions.append(try await buckets.take("key:a", capacity: 3, rate: 0.001)) }
            #expect(decisions.map(\.remaining) == [2, 1, 0, 0])
            #expect(decisions.prefix(3).allSatisfy { $0.retryAfter == nil })
            #expect((decisions[3].retryAfter ?? 0) >= 1, "the fourth is refused with a wait")
            #expect(try await buckets.take("key:b", capacity: 3, rate: 0.001).retryAfter == nil, "another key has its own bucket")
            let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 { group.addTask { try await buckets.take("key:c", capacity: 10, rate: 0.001).retryAfter == nil } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(granted == 10, "20 concurrent takes of a bucket of 10")
        }
    }

    @Test("servers starting together on an empty database create one first tenant between them")
    func oneFirstTenant() async throws {
        let (pool, cleanup) = try await TestDatabase.open(logger: Logger(label: "test"))
        do {
            let services = makeServices(
                store: SQLStore(pool: pool), tokens: InvitationTokens(secret: InvitationTokens.randomSecret()), invitationTTL: 1000,
                clock: ManualClock())
            let created = try await withThrowingTaskGroup(of: CreatedTenant?.self) { group in
                for _ in 0..<6 { group.addTask { try await services.tenants.createFirst(name: "First", ownerEmail: "owner@first.example") } }
                var all: [CreatedTenant] = []
                for try await tenant in group { if let tenant { all.append(tenant) } }
                return all
            }
            #expect(created.count == 1)
            #expect(try await services.tenants.count() == 1)
            #expect(try await services.tenants.createFirst(name: "Again", ownerEmail: "owner@first.example") == nil)
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }

    @Test("LOG_FORMAT=json writes one JSON object per line with time, level, message and the metadata as fields")
    func jsonLogs() throws {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "cipherscale") { label in JSONLogHandler(label: label) { line in lines.withLock { $0.append(line) } } }
        logger[metadataKey: "request_id"] = "r-1"
        logger.info(
            "GET /tenants/users/{id} 200 3.2 ms",
            metadata: ["route": "/tenants/users/{id}", "status": .stringConvertible(200), "duration_ms": .stringConvertible(3.2)])
        logger.debug("not at info level")
        let written = lines.withLock { $0 }
        #expect(written.count == 1 && written[0].hasSuffix("}\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info" && object["message"] as? String == "GET /tenants/users/{id} 200 3.2 ms")
        #expect(object["request_id"] as? String == "r-1" && object["route"] as? String == "/tenants/users/{id}")
        #expect(object["status"] as? Int == 200 && object["duration_ms"] as? Double == 3.2)
        #expect((object["time"] as? String).flatMap(Timestamps.parse) != nil)
        #expect(try AppConfiguration.fromEnvironment(["LOG_FORMAT": "JSON"]).logFormat == .json)
        #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment(["LOG_FORMAT": "xml"]) }
    }
}
