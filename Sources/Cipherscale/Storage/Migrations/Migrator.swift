import Logging
import SQLKit

/// Applies pending migrations in order, each in its own transaction, recording each by name.
enum Migrator {
    /// Every migration, oldest first.
    static let all: [Migration] = [
        CreateDirectory.migration,
        AddAuditAndIdempotency.migration,
        AddNullableSortIndexes.migration,
        AddUserSearchIndexes.migration,
        AddUserStatusCounts.migration,
        AddTenantToUserSearch.migration,
        AddConsole.migration,
        AddRoleMasks.migration,
        AddDeviceCounts.migration,
        AddScim.migration,
        AddIdempotencyScopes.migration,
        AddClusterState.migration,
        AddKeyChangeNotifications.migration,
    ]

    /// Applies the migrations not yet recorded; returns the names it applied.
    @discardableResult
    static func migrate(_ pool: DatabasePool, logger: Logger) async throws -> [String] {
        try await pool.transaction { db in
            // Under the same lock as the migrations: two processes creating the table at once on
            // PostgreSQL collide in its catalog (a unique violation), IF NOT EXISTS notwithstanding.
            if pool.kind == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(7710)").run() }
            try await db.raw(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)"
            ).run()
        }
        var applied: [String] = []
        for migration in all {
            let done = try await pool.transaction { db -> Bool in
                if pool.kind == .postgres {
                    // Several processes starting at once: one applies, the others wait and then skip.
                    try await db.raw("SELECT pg_advisory_xact_lock(7710)").run()
                }
                let rows = try await db.raw("SELECT name FROM schema_migrations WHERE name = \(bind: migration.name)").all()
                if !rows.isEmpty { return false }
                for statement in migration.statements(pool.kind) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (\(bind: migration.name), \(bind: SystemClock().now()))"
                ).run()
                return true
            }
            if done {
                logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
                applied.append(migration.name)
            }
        }
        if !applied.isEmpty && pool.kind == .sqlite {
            // SQLite plans with the statistics ANALYZE leaves; an index it has none for can look
            // better than it is (a new index once made a first page scan a million rows). A full
            // analysis (about 7 s at a million users): a sampled one reads only the first rows of
            // each index, where a small tenant sits, and then takes every tenant for a small one.
            try await pool.transaction { db in try await db.raw("ANALYZE").run() }
        }
        return applied
    }
}
