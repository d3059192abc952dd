import Foundation

/// Signing in to the console by email link, and the sessions that follow.
///
/// A link is valid for ``linkLifetime`` and works once; a session ends after ``idleLifetime``
/// without use, on sign-out, or as soon as its user is no longer active or loses every console
/// role (checked on each use). Tokens are random or derived from the server secret; only their
/// SHA-256 is stored.
public struct ConsoleService: Sendable {
    let console: any ConsoleRepository
    let users: UserService
    let tokens: InvitationTokens
    let clock: any DirectoryClock

    /// How long a sign-in link works: 15 minutes.
    public static let linkLifetime: Millis = 15 * 60 * 1000
    /// How long a session lasts without use: 12 hours.
    public static let idleLifetime: Millis = 12 * 60 * 60 * 1000
    /// A session's last use is recorded at most this often.
    static let touchInterval: Millis = 60 * 1000

    public init(console: any ConsoleRepository, users: UserService, tokens: InvitationTokens, clock: any DirectoryClock) {
        self.console = console
        self.users = users
        self.tokens = tokens
        self.clock = clock
    }

    /// Mails a sign-in link to every active user with this email who may use the console (one per
    /// tenant). Says nothing about whether anyone matched: the caller answers the same either way.
    public func requestSignIn(email: String, traceParent: String? = nil) async throws {
        for (user, tenant) in try await eligibleUsers(email: email) {
            let link = newLink(for: user, tenant: tenant)
            try await console.insertLink(link.record, mailTo: user.email, traceParent: traceParent)
        }
    }

    /// Sign-in links for an operator at the machine (no mail): one per tenant where `email` may sign in.
    public func operatorLinks(email: String) async throws -> [(tenant: TenantID, user: User, token: String)] {
        var links: [(TenantID, User, String)] = []
        for (user, tenant) in try await eligibleUsers(email: email) {
            let link = newLink(for: user, tenant: tenant)
            try await console.insertLink(link.record, mailTo: nil, traceParent: nil)
            links.append((tenant, user, link.token))
        }
        return links
    }

    /// Redeems a link's token: a new session's token, or 410 when the link is unknown, used or expired.
    public func signIn(token: String) async throws -> String {
        let sessionToken = Secrets.randomToken()
        let session = NewConsoleSession(id: Identifiers.make(), tokenHash: Secrets.hash(sessionToken))
        guard try await console.redeem(tokenHash: Secrets.hash(token), session: session, now: clock.now()) != nil else {
            throw DirectoryError(.gone, "This sign-in link was already used, has expired, or does not exist. Ask for a new one.")
        }
        return sessionToken
    }

    /// The session of a cookie's token, with its user as they are now; nil when it ended, idled
    /// out, or its user may no longer sign in.
    public func session(token: String) async throws -> ConsoleSession? {
        guard !token.isEmpty, let found = try await console.session(tokenHash: Secrets.hash(token)) else { return nil }
        let now = clock.now()
        guard now - found.lastSeenAt < Self.idleLifetime else { return nil }
        let context = OperationContext(tenantId: found.tenant, actor: .system, now: now)
        guard let user = try? await users.user(found.user, context: context), let access = ConsoleAccess.of(user) else { return nil }
        if now - found.lastSeenAt >= Self.touchInterval { try await console.touch(session: found.id, now: now) }
        return ConsoleSession(id: found.id, user: user, tenantId: found.tenant, access: access, csrfToken: Self.csrfToken(session: token))
    }

    /// Ends the session of a cookie's token (nothing when there is none).
    public func signOut(token: String) async throws {
        guard !token.isEmpty, let found = try await console.session(tokenHash: Secrets.hash(token)) else { return }
        try await console.end(session: found.id, now: clock.now())
    }

    /// Forgets sessions that can no longer be used and links expired for a day (the housekeeping's job).
    public func purge() async throws -> Int {
        let now = clock.now()
        return try await console.purge(idleBefore: now - Self.idleLifetime, expiredBefore: now - 24 * 3600 * 1000)
    }

    /// The form token of a session: bound to it, and useless without it.
    static func csrfToken(session token: String) -> String {
        Secrets.hash("console-csrf:" + token)
    }

    private func eligibleUsers(email: String) async throws -> [(User, TenantID)] {
        let key = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !key.isEmpty, key.utf8.count <= 320 else { return [] }
        var eligible: [(User, TenantID)] = []
        for (tenant, id) in try await console.activeUsers(emailKey: key) {
            let context = OperationContext(tenantId: tenant, actor: .system, now: clock.now())
            if let user = try? await users.user(id, context: context), ConsoleAccess.of(user) != nil {
                eligible.append((user, tenant))
            }
        }
        return eligible
    }

    private func newLink(for user: User, tenant: TenantID) -> (record: SignInLink, token: String) {
        let id = Identifiers.make()
        let token = tokens.signInToken(for: id)
        let now = clock.now()
        return (
            SignInLink(
                id: id, tenantId: tenant, userId: user.id, tokenHash: Secrets.hash(token), createdAt: now, expiresAt: now + Self.linkLifetime),
            token
        )
    }
}
