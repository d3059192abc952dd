/// Where the answers of requests sent with an `Idempotency-Key` are kept for replay, per scope.
public protocol IdempotencyRepository: Sendable {
    /// Claims an idempotency key for a request, or says how to answer it.
    func start(scope: IdempotencyScope, key: String, requestHash: String, now: Millis) async throws -> IdempotencyStart
    /// Stores the answer of a request that ran with an idempotency key.
    func finish(scope: IdempotencyScope, key: String, status: Int, headers: [String: String], body: String) async throws
    /// Forgets an attempt that failed on the server's side, so a retry runs again.
    func abandon(scope: IdempotencyScope, key: String) async throws
    /// Deletes stored answers older than the retention period; returns how many.
    func purge(now: Millis) async throws -> Int
}
