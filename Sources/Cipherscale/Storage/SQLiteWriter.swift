import Logging
import SQLKit
import Synchronization

/// SQLite's one writer connection, shared by transactions one at a time, with group commit.
///
/// With `synchronous=FULL` every COMMIT waits for the disk (an fsync of the WAL), and that wait,
/// not the statements, is most of a small write's time. So a transaction that finishes while others
/// wait for the writer does not commit: it leaves its changes in the open transaction (each later
/// one runs inside a `SAVEPOINT`, so a failing one undoes only its own changes) and hands the
/// connection to the next. The last of the batch (no one waiting, or ``maxBatch`` reached) commits
/// once for all of them. Nobody is answered before the COMMIT that holds their changes returns, and
/// if it fails, every transaction in the batch fails with its error: what a caller is told is
/// exactly what is on disk. A lone transaction runs as before (BEGIN IMMEDIATE, body, COMMIT).
final class SQLiteWriter: Sendable {
    /// The most transactions one COMMIT carries; each waits for the ones after it, so this bounds latency.
    static let maxBatch = 32

    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// A transaction is open on the connection (only the lock's holder reads or changes this).
        var open = false
        /// Transactions done inside the open one, waiting for its COMMIT.
        var pending: [CheckedContinuation<Bool, any Error>] = []
    }
    private let state = Mutex(State())
    private let connection: SQLiteHandle
    private let db: SQLiteHandleDatabase

    init(connection: SQLiteHandle, logger: Logger) {
        self.connection = connection
        self.db = SQLiteHandleDatabase(handle: connection, logger: logger)
    }

    /// Closes the connection once no transaction holds it.
    func close() async {
        await acquire()
        connection.close()
        release()
    }

    /// Runs `body` in a transaction; returns once its changes are committed, and throws (with nothing
    /// of `body` kept) when `body` or the commit fails.
    func transaction<T: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: (any SQLDatabase) async throws -> T
    ) async throws -> T {
        await acquire()
        let joining = state.withLock { $0.open }
        if joining {
            do {
                try await db.raw("SAVEPOINT job").run()
            } catch {
                await abortBatch(error)
                release()
                throw error
            }
        } else {
            do {
                try await db.raw("BEGIN IMMEDIATE").run()
            } catch {
                release()
                throw error
            }
            state.withLock { $0.open = true }
        }

        let outcome: Result<T, any Error>
        do {
            let value = try await body(db)
            if joining { try await db.raw("RELEASE job").run() }
            outcome = .success(value)
        } catch {
            outcome = .failure(error)
            if joining {
                // Undo this transaction alone; if even that fails, the batch cannot be trusted.
                do {
                    try await db.raw("ROLLBACK TO job").run()
                    try await db.raw("RELEASE job").run()
                } catch {
                    await abortBatch(error)
                }
            } else {
                // Nothing else is in the transaction yet.
                try? await db.raw("ROLLBACK").run()
                state.withLock { $0.open = false }
            }
        }

        guard state.withLock({ $0.open }) else {
            release()
            return try outcome.get()
        }
        // Hand the open transaction to the next waiter (and wait for a later COMMIT), or commit it now.
        // The continuation answers true for "commit it yourself" and false once a later holder committed.
        let mustCommit = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
            let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard !state.waiters.isEmpty, state.pending.count + 1 < Self.maxBatch else { return nil }
                if case .success = outcome {
                    state.pending.append(continuation)
                }
                return state.waiters.removeFirst()
            }
            if let next {
                next.resume()
                if case .failure = outcome { continuation.resume(returning: false) }
            } else {
                continuation.resume(returning: true)
            }
        }
        if mustCommit {
            do {
                try await commitBatch()
            } catch {
                release()
                throw error
            }
            release()
        }
        return try outcome.get()
    }

    /// Runs `body` on the connection outside any transaction (settings for a bulk load).
    func withExclusiveAccess<T: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: (any SQLDatabase) async throws -> T
    ) async throws -> T {
        await acquire()
        defer { release() }
        if state.withLock({ $0.open }) { try await commitBatch() }
        return try await body(db)
    }

    /// Commits the open transaction and answers every transaction waiting for it.
    private func commitBatch() async throws {
        do {
            try await db.raw("COMMIT").run()
        } catch {
            await abortBatch(error)
            throw error
        }
        let pending = state.withLock { state in
            state.open = false
            defer { state.pending = [] }
            return state.pending
        }
        for continuation in pending { continuation.resume(returning: false) }
    }

    /// Rolls the open transaction back and fails every transaction waiting for it with `error`.
    private func abortBatch(_ error: any Error) async {
        try? await db.raw("ROLLBACK").run()
        let pending = state.withLock { state in
            state.open = false
            defer { state.pending = [] }
            return state.pending
        }
        for continuation in pending { continuation.resume(throwing: error) }
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state -> Bool in
                if state.locked {
                    state.waiters.append(continuation)
                    return false
                }
                state.locked = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    /// Passes the connection to the first waiter, or frees it.
    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
