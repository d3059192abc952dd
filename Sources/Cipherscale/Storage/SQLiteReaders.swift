import Synchronization

/// SQLite's reader connections (WAL mode: they read beside the writer), each lent to one task at a time.
final class SQLiteReaders: Sendable {
    private struct State {
        var free: [SQLiteHandle]
        var waiters: [CheckedContinuation<SQLiteHandle, Never>] = []
    }
    private let state: Mutex<State>
    let all: [SQLiteHandle]

    init(_ handles: [SQLiteHandle]) {
        precondition(!handles.isEmpty)
        all = handles
        state = Mutex(State(free: handles))
    }

    /// Runs `body` with a connection no other task uses meanwhile.
    func with<T: Sendable>(isolation: isolated (any Actor)? = #isolation, _ body: (SQLiteHandle) async throws -> T) async throws -> T {
        let handle = await checkOut()
        defer { checkIn(handle) }
        return try await body(handle)
    }

    private func checkOut() async -> SQLiteHandle {
        if let handle = state.withLock({ $0.free.popLast() }) { return handle }
        return await withCheckedContinuation { (continuation: CheckedContinuation<SQLiteHandle, Never>) in
            let handle = state.withLock { state -> SQLiteHandle? in
                if let handle = state.free.popLast() { return handle }
                state.waiters.append(continuation)
                return nil
            }
            if let handle { continuation.resume(returning: handle) }
        }
    }

    private func checkIn(_ handle: SQLiteHandle) {
        let waiter = state.withLock { state -> CheckedContinuation<SQLiteHandle, Never>? in
            if state.waiters.isEmpty {
                state.free.append(handle)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: handle)
    }
}
