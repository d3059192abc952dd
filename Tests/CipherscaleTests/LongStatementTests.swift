import Logging
import SQLKit
import Testing

@testable import Cipherscale

/// A statement that ran long once runs on NIO's thread pool the next times (SQLite): its answers
/// must stay exactly the same, bindings included, and a short one beside it must still answer.
@Suite struct LongStatementTests {
    @Test func aStatementThatRanLongAnswersTheSameWhenItRunsAgain() async throws {
        let (pool, cleanup) = try await TestDatabase.open(logger: Logger(label: "test"))
        defer { Task { await cleanup() } }
        for limit in [300_000, 300_001, 299_999] {
            let (count, short) = try await pool.read { db in
                let count = try await db.raw(
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < \(bind: limit)) SELECT COUNT(*) AS n FROM c"
                ).first()?.decode(column: "n", as: Int.self)
                let short = try await db.raw("SELECT \(bind: limit) + 1 AS n").first()?.decode(column: "n", as: Int.self)
                return (count, short)
            }
            #expect(count == limit)
            #expect(short == limit + 1)
        }
    }
}
