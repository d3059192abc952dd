/// Bounds how many tests hold a PostgreSQL database at once. Swift Testing starts every test at
/// once; each holds a pool of its own (and opening one tries a connection first), so without a bound
/// a full run asks the server for more connections than `max_connections` allows.
actor DatabasePermits {
    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// At most `count` holders at a time.
    init(_ count: Int) {
        available = count
    }

    /// Waits for a permit.
    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Returns a permit, handing it to the longest waiter if there is one.
    func release() {
        if waiting.isEmpty {
            available += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
