import Synchronization

/// Keys that authenticated recently, so that a request need not read its key from the database.
///
/// Correct across processes only while something tells it of every change to any key: it starts
/// off, and answers nothing until ``resume()`` (the PostgreSQL listener calls it once it is
/// listening for key changes; a change made anywhere, by any process, empties the cache through
/// ``invalidate()``; a lost connection calls ``suspend()``). Only successes are kept, keyed by the
/// presented key's prefix and secret hash, so a wrong secret is always checked against the
/// database, as an unknown key is: the two cost the same. Entries also expire after ``lifetime``.
public final class PrincipalCache: Sendable {
    private struct State {
        var live = false
        var generation: UInt64 = 0
        var entries: [String: (principal: Principal, expires: Millis)] = [:]
    }

    private let state = Mutex(State())
    /// How long an entry is used, however quiet the notifications (a safety net, not the mechanism).
    let lifetime: Millis
    /// At most this many entries (the cache empties when full).
    let capacity: Int

    public init(lifetime: Millis = 60_000, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The principal of a key that authenticated within ``lifetime``, if the cache is live.
    func principal(for token: String, now: Millis) -> Principal? {
        state.withLock { state in
            guard state.live, let entry = state.entries[token], entry.expires > now else { return nil }
            return entry.principal
        }
    }

    /// The generation to pass to ``keep(_:for:generation:now:)`` after reading the database; nil
    /// when the cache is not live.
    func generation() -> UInt64? {
        state.withLock { $0.live ? $0.generation : nil }
    }

    /// Keeps a key just read from the database, unless keys changed since `generation` was taken
    /// (a revocation that raced the read must not be undone by it).
    func keep(_ principal: Principal, for token: String, generation: UInt64, now: Millis) {
        state.withLock { state in
            guard state.live, state.generation == generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[token] = (principal, now + lifetime)
        }
    }

    /// A key changed somewhere: forget every entry.
    public func invalidate() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll()
        }
    }

    /// Changes are being heard: start answering (from empty).
    public func resume() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll()
            state.live = true
        }
    }

    /// Changes may go unheard: answer nothing until ``resume()``.
    public func suspend() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll()
            state.live = false
        }
    }
}
