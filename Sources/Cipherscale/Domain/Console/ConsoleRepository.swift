/// Where sign-in links and sessions of the console are kept (only hashes of their tokens).
public protocol ConsoleRepository: Sendable {
    /// Every active user whose email is `emailKey` (lower-cased), in any tenant.
    func activeUsers(emailKey: String) async throws -> [(tenant: TenantID, user: UserID)]
    /// Stores a sign-in link; when `mailTo` is set, queues its mail in the same transaction (with the
    /// requesting span's `traceParent`, when tracing is on).
    func insertLink(_ link: SignInLink, mailTo: String?, traceParent: String?) async throws
    /// Marks the unused, unexpired link with this token hash used and opens a session for its
    /// user, in one transaction; nil when there is no such link.
    func redeem(tokenHash: String, session: NewConsoleSession, now: Millis) async throws -> (tenant: TenantID, user: UserID)?
    /// The open session with this token hash, with the time it was last used.
    func session(tokenHash: String) async throws -> (id: String, tenant: TenantID, user: UserID, lastSeenAt: Millis)?
    /// Records that the session was used at `now`.
    func touch(session id: String, now: Millis) async throws
    /// Ends the session.
    func end(session id: String, now: Millis) async throws
    /// Deletes sessions ended or unused since `idleBefore`, and links that expired before `expiredBefore`
    /// (with their mail); answers how many rows went.
    func purge(idleBefore: Millis, expiredBefore: Millis) async throws -> Int
    /// For the mail worker: each link's tenant name, expiry and whether it was used.
    func mailSubjects(_ linkIds: [String]) async throws -> [String: (tenantName: String, expiresAt: Millis, used: Bool)]
}
