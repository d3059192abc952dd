import Foundation
import Logging
import Testing

@testable import Cipherscale

/// Authenticated keys kept in memory must never outlive a revocation made anywhere.
@Suite("API key cache")
struct KeyCacheTests {
    private let principal = Principal(
        tenantId: "01a2358e-082b-7715-aec3-0613bbc5df76", keyId: "01a2358e-082b-7715-aec3-0613bbc5df77", readOnly: false)

    @Test("the cache answers only while live, and a read that raced a change is not kept")
    func liveness() {
        let cache = PrincipalCache()
        #expect(cache.generation() == nil, "a cache nobody keeps told is off")
        cache.keep(principal, for: "p:h", generation: 0, now: 0)
        #expect(cache.principal(for: "p:h", now: 0) == nil)
        cache.resume()
        let before = cache.generation()!
        cache.keep(principal, for: "p:h", generation: before, now: 0)
        #expect(cache.principal(for: "p:h", now: 1) == principal)
        #expect(cache.principal(for: "p:h", now: cache.lifetime) == nil, "entries expire")
        let raced = cache.generation()!
        cache.invalidate()
        #expect(cache.principal(for: "p:h", now: 1) == nil, "a change empties it")
        cache.keep(principal, for: "p:h", generation: raced, now: 1)
        #expect(cache.principal(for: "p:h", now: 1) == nil, "a read taken before the change is not kept")
        cache.keep(principal, for: "p:h", generation: cache.generation()!, now: 1)
        cache.suspend()
        #expect(cache.principal(for: "p:h", now: 1) == nil, "a suspended cache answers nothing")
    }

    /// PostgreSQL only: SQLite servers have no notifications and read keys on every request.
    @Test(
        "a key revoked by another process is refused once PostgreSQL's notification arrives, and a wrong secret is never cached",
        .enabled(if: TestDatabase.isPostgres))
    func revocationElsewhere() async throws {
        try await withWorld { world in
            let repository = SQLKeyRepository(store: world.store)
            let cache = PrincipalCache()
            let here = KeyService(keys: repository, clock: world.clock, cache: cache)
            // Another process: the same database, no cache of its own.
            let elsewhere = KeyService(keys: repository, clock: world.clock)
            let listener = Task { try await KeyChangeListener(keys: repository, cache: cache, logger: Logger(label: "test")).run() }
            defer { listener.cancel() }
            try await waitUntil { cache.generation() != nil }

            let (record, key) = try await elsewhere.create(tenant: TenantID(trusted: world.a.id), readOnly: false)
            #expect(try await here.authenticate(apiKey: key).keyId == record.id)
            let parts = try #require(APIKeySecret.parse(key))
            #expect(cache.principal(for: parts.prefix + ":" + Secrets.hash(parts.secret), now: world.clock.now()) != nil, "kept")
            let wrong = "csk_\(parts.prefix)_\(Secrets.randomToken())"
            await #expect(throws: DirectoryError.self) { try await here.authenticate(apiKey: wrong) }

            #expect(try await elsewhere.revoke(record.id))
            try await waitUntil { cache.principal(for: parts.prefix + ":" + Secrets.hash(parts.secret), now: world.clock.now()) == nil }
            await #expect(throws: DirectoryError.self) { try await here.authenticate(apiKey: key) }
        }
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition(), "within 2 s")
    }
}
