import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import Testing

@testable import Cipherscale

/// Which database the suites run against: `CIPHERSCALE_TEST_DATABASE=postgres` with
/// `CIPHERSCALE_TEST_POSTGRES_URL` (set by `scripts/test.sh`), SQLite otherwise.
enum TestDatabase {
    static var isPostgres: Bool { ProcessInfo.processInfo.environment["CIPHERSCALE_TEST_DATABASE"] == "postgres" }

    /// Opens a fresh, migrated, empty database for one test: a temporary SQLite file, or a new schema
    /// in the test PostgreSQL (which must be on this machine). `cleanup` drops it.
    static func open(logger: Logger) async throws -> (pool: DatabasePool, cleanup: @Sendable () async -> Void) {
        if isPostgres {
            guard let url = ProcessInfo.processInfo.environment["CIPHERSCALE_TEST_POSTGRES_URL"] else {
                throw ConfigurationError("CIPHERSCALE_TEST_POSTGRES_URL is not set")
            }
            guard let host = URLComponents(string: url)?.host, ["127.0.0.1", "localhost", "::1"].contains(host) else {
                throw ConfigurationError("tests refuse a non-local PostgreSQL host")
            }
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let admin = try await DatabasePool.open(.postgres(url: url), maxConnections: 1, logger: logger)
            try await admin.transaction { db in
                // Shared by every test schema, so dropping one schema never takes the extension with it.
                try await db.raw("SELECT pg_advisory_xact_lock(7711)").run()
                try await db.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public").run()
                try await db.raw("CREATE SCHEMA \(unsafeRaw: schema)").run()
            }
            let pool = try await DatabasePool.open(.postgres(url: url, searchPath: schema), maxConnections: 6, logger: logger)
            try await Migrator.migrate(pool, logger: logger)
            return (
                pool,
                {
                    await pool.close()
                    _ = try? await admin.transaction { db in try await db.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
                    await admin.close()
                }
            )
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cipherscale-test-\(UUID().uuidString)")
        let pool = try await DatabasePool.open(.sqlite(path: folder.appendingPathComponent("test.sqlite").path), logger: logger)
        try await Migrator.migrate(pool, logger: logger)
        return (
            pool,
            {
                await pool.close()
                try? FileManager.default.removeItem(at: folder)
            }
        )
    }
}

/// A tenant made for a test, with an admin and a read-only key.
struct TestTenant: Sendable {
    var id: String
    var ownerId: String
    var adminKey: String
    var readOnlyKey: String
}

/// Everything a test needs: the services, their store and clock, two tenants (A and B), and a client for the router.
struct TestWorld: Sendable {
    var services: DirectoryServices
    var store: SQLStore
    /// The clock every service reads; tests move time with it.
    var clock: ManualClock
    var a: TestTenant
    var b: TestTenant
    var client: any TestClientProtocol

    var pool: DatabasePool { store.pool }

    /// Sends a request as tenant A's admin unless `auth` says otherwise.
    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, auth: Auth = .adminA, json: Any? = nil, rawBody: String? = nil,
        headers: [String: String] = [:]
    ) async throws -> Reply {
        var fields = HTTPFields()
        switch auth {
        case .adminA: fields[HTTPField.Name("apikey")!] = a.adminKey
        case .key(let value): fields[HTTPField.Name("apikey")!] = value
        case .none: break
        }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
            fields[.contentType] = "application/json"
        } else if let rawBody {
            body = ByteBuffer(string: rawBody)
            fields[.contentType] = "application/json"
        }
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let response = try await client.executeRequest(uri: uri, method: method, headers: fields, body: body)
        return Reply(response: response)
    }

    /// Creates users in tenant A (or with `key`) and returns their ids; fails the test unless 201.
    func createUsers(_ emails: [String], groups: [String] = [], key: String? = nil) async throws -> [String] {
        let reply = try await request(.post, "/tenants/users", auth: .key(key ?? a.adminKey), json: emails.map { ["email": $0, "groups": groups] })
        #expect(reply.status == .created, "\(reply.text)")
        return reply.array.map { $0["id"] as! String }
    }

    /// The id of tenant A's role of a type (`ADMIN`).
    func roleId(_ type: String, key: String? = nil) async throws -> String {
        let roles = try await request(.get, "/tenants/roles", auth: .key(key ?? a.adminKey)).array
        return roles.first { $0["type"] as? String == type }!["id"] as! String
    }

    /// The id of tenant A's Default group.
    func defaultGroupId(key: String? = nil) async throws -> String {
        let groups = try await request(.get, "/tenants/groups?filter[name]=Default", auth: .key(key ?? a.adminKey)).object["data"] as! [[String: Any]]
        return groups[0]["id"] as! String
    }

    /// Creates a group in tenant A and returns its id.
    func createGroup(_ name: String, roles: [String] = []) async throws -> String {
        let reply = try await request(.post, "/tenants/groups", json: ["name": name, "roles": roles])
        #expect(reply.status == .created, "\(reply.text)")
        return reply.object["id"] as! String
    }
}

/// Which API key a test request carries.
enum Auth: Sendable {
    /// Tenant A's admin key.
    case adminA
    /// This key.
    case key(String)
    /// No `apikey` header.
    case none
}

/// A response with JSON helpers.
struct Reply: Sendable {
    let response: TestResponse

    var status: HTTPResponse.Status { response.status }
    var headers: HTTPFields { response.headers }
    var text: String { String(buffer: response.body) }
    var contentType: String? { response.headers[.contentType] }
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
    /// The JSON pointers of a problem's `errors`.
    var pointers: [String] { (object["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String } }

    /// Checks that this is a problem+json answer with `status`.
    func expectProblem(_ expected: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == expected, "\(text)", sourceLocation: sourceLocation)
        #expect(contentType == "application/problem+json", sourceLocation: sourceLocation)
        #expect(object["status"] as? Int == expected.code, sourceLocation: sourceLocation)
        #expect(object["title"] is String, sourceLocation: sourceLocation)
        #expect(object["type"] is String, sourceLocation: sourceLocation)
    }
}

/// Runs `body` against a fresh database with tenants A and B, through the real router and middleware.
/// The invitation and per-key rate limits are off unless `invitationRateLimit` or `rateLimit` is given.
func withWorld(invitationRateLimit: Int = 0, rateLimit: Int = 0, _ body: @Sendable (TestWorld) async throws -> Void) async throws {
    var logger = Logger(label: "test")
    logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG"] != nil ? .error : .critical
    let (pool, cleanup) = try await TestDatabase.open(logger: logger)
    do {
        let store = SQLStore(pool: pool)
        let clock = ManualClock()
        let services = makeServices(
            store: store, tokens: InvitationTokens(secret: InvitationTokens.randomSecret()), invitationTTL: 7 * 24 * 3600 * 1000, clock: clock
        )
        func tenant(_ name: String, _ email: String) async throws -> TestTenant {
            let created = try await services.tenants.create(name: name, ownerEmail: email)
            let readOnly = try await services.keys.create(tenant: created.tenantId, readOnly: true)
            return TestTenant(
                id: created.tenantId.rawValue, ownerId: created.ownerUserId.rawValue, adminKey: created.apiKey, readOnlyKey: readOnly.apiKey
            )
        }
        let a = try await tenant("Tenant A", "owner@a.example")
        let b = try await tenant("Tenant B", "owner@b.example")
        let router = try buildRouter(services: services, invitationRateLimit: invitationRateLimit, rateLimit: rateLimit)
        let app = Application(router: router, logger: logger)
        try await app.test(.router) { client in
            try await body(TestWorld(services: services, store: store, clock: clock, a: a, b: b, client: client))
        }
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
}
