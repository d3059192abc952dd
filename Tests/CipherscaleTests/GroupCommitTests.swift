import Foundation
import Logging
import SQLKit
import Testing

@testable import Cipherscale

/// Many writes at once: on SQLite they share COMMITs (``SQLiteWriter``). Whatever the batching,
/// a caller is answered only once its own changes are committed, and a failing write leaves
/// nothing behind while the writes around it are kept.
@Suite struct GroupCommitTests {
    struct Refused: Error {}

    @Test func concurrentWritesAreCommittedWhenAnsweredAndFailuresLeaveNothing() async throws {
        let (pool, cleanup) = try await TestDatabase.open(logger: Logger(label: "test"))
        defer { Task { await cleanup() } }
        try await pool.transaction { db in try await db.raw("CREATE TABLE scratch (n BIGINT PRIMARY KEY)").run() }

        let count = 120
        let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<count {
                group.addTask {
                    do {
                        try await pool.transaction { db in
                            try await db.raw("INSERT INTO scratch (n) VALUES (\(bind: n))").run()
                            // A database error after a write of this transaction: a duplicate key.
                            if n % 5 == 0 { try await db.raw("INSERT INTO scratch (n) VALUES (\(bind: n))").run() }
                            // A rule refusing after the write.
                            if n % 7 == 0 { throw Refused() }
                        }
                    } catch {
                        return (n, false)
                    }
                    // Answered: another connection must already see the row.
                    let seen = try await pool.read { db in
                        try await db.raw("SELECT n FROM scratch WHERE n = \(bind: n)").all().count
                    }
                    #expect(seen == 1, "write \(n) was answered before it was committed")
                    return (n, true)
                }
            }
            var outcomes: [Int: Bool] = [:]
            for try await (n, committed) in group { outcomes[n] = committed }
            return outcomes
        }

        let expected = Set((0..<count).filter { $0 % 5 != 0 && $0 % 7 != 0 })
        #expect(Set(outcomes.filter(\.value).keys) == expected)
        let stored = try await pool.read { db in
            try await db.raw("SELECT n FROM scratch").all().map { try $0.decode(column: "n", as: Int.self) }
        }
        #expect(Set(stored) == expected)
        #expect(stored.count == expected.count)
    }
}
