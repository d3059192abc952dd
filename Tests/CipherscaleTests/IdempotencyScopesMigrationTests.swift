import Foundation
import SQLKit
import Testing

@testable import Cipherscale

/// Migration `011_idempotency_scopes` keeps the answers stored before it, under their API key's scope.
@Suite("Migration: idempotency scopes")
struct IdempotencyScopesMigrationTests {
    @Test("an answer stored per API key before the migration is replayed under that key's scope after it")
    func storedAnswersSurvive() async throws {
        try await withWorld { world in
            let principal = try await world.services.keys.authenticate(apiKey: world.a.adminKey)
            let now = world.clock.now()
            // Fixture: the table as migration 002 made it, holding one finished answer.
            try await world.pool.transaction { db in
                try await db.raw("DROP TABLE idempotency_keys").run()
                try await db.raw(
                    """
                    CREATE TABLE idempotency_keys (
                        api_key_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
                        idempotency_key TEXT NOT NULL, request_hash TEXT NOT NULL, status INTEGER, headers TEXT, body TEXT,
                        created_at BIGINT NOT NULL, PRIMARY KEY (api_key_id, idempotency_key)
                    )
                    """
                ).run()
                try await db.raw(
                    """
                    INSERT INTO idempotency_keys (api_key_id, idempotency_key, request_hash, status, headers, body, created_at)
                    VALUES (\(bind: principal.keyId.rawValue), 'k', 'h', 201, '{}', 'stored', \(bind: now))
                    """
                ).run()
                for statement in AddIdempotencyScopes.migration.statements(world.pool.kind) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
            }
            let store = world.services.idempotency
            #expect(
                try await store.start(scope: .apiKey(principal.keyId), key: "k", requestHash: "h", now: now)
                    == .replay(status: 201, headers: [:], body: "stored"))
            #expect(try await store.start(scope: .invitation(tokenHash: "x"), key: "k", requestHash: "h", now: now) == .run)
        }
    }
}
