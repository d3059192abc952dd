/// API keys: authenticating a presented key, and creating, listing and revoking keys (command line).
public struct KeyService: Sendable {
    /// Where keys live.
    let keys: any KeyRepository
    /// The time of each change.
    let clock: any DirectoryClock
    /// Recently authenticated keys, when something keeps it told of key changes (PostgreSQL).
    public let cache: PrincipalCache?

    /// A service over `keys`.
    public init(keys: any KeyRepository, clock: any DirectoryClock, cache: PrincipalCache? = nil) {
        self.keys = keys
        self.clock = clock
        self.cache = cache
    }

    /// Compared with when no key has the presented prefix; no secret hashes to it.
    private static let decoyHash = Secrets.hash(Secrets.randomToken())

    /// The principal for a presented `apikey` header value: 401 when missing, unknown or revoked.
    public func authenticate(apiKey: String?) async throws -> Principal {
        guard let apiKey, !apiKey.isEmpty else {
            throw DirectoryError(.unauthorized, "The apikey header is required.")
        }
        let presented = APIKeySecret.parse(apiKey)
        // Every failure does the same work: one hash, one lookup by prefix that returns one row (a
        // decoy when the prefix is unknown; a malformed key looks up a prefix that cannot exist), one
        // decode and one constant-time comparison. An unknown prefix and a wrong secret cost the same.
        let presentedHash = Secrets.hash(presented?.secret ?? apiKey)
        let token = (presented?.prefix ?? "-") + ":" + presentedHash
        let now = cache == nil ? 0 : clock.now()
        if let cached = cache?.principal(for: token, now: now) { return cached }
        let generation = cache?.generation()
        let stored = try await keys.lookup(prefix: presented?.prefix ?? "-", decoyHash: Self.decoyHash)
        let matches = Secrets.constantTimeEquals(stored.secretHash, presentedHash)
        guard presented != nil, stored.found, matches, stored.record.revokedAt == nil else {
            throw DirectoryError(.unauthorized, "The API key is not valid.")
        }
        let principal = Principal(tenantId: stored.record.tenantId, keyId: stored.record.id, readOnly: stored.record.readOnly)
        if let cache, let generation { cache.keep(principal, for: token, generation: generation, now: now) }
        return principal
    }

    /// Creates a key for a tenant; its text is returned once and only its hash is stored.
    public func create(tenant: TenantID, readOnly: Bool, actor: AuditActor = .system) async throws -> (record: APIKeyRecord, apiKey: String) {
        let secret = APIKeySecret.generate()
        let record = try await keys.insert(
            tenant: tenant, prefix: secret.prefix, secretHash: Secrets.hash(secret.secret), readOnly: readOnly, now: clock.now(), actor: actor
        )
        return (record, secret.text)
    }

    /// A tenant's keys (never their secrets).
    public func list(tenant: TenantID) async throws -> [APIKeyRecord] {
        try await keys.keys(of: tenant)
    }

    /// Revokes a key; false when there is none with this id (in `tenant`, when given: the console
    /// revokes only its own tenant's keys, the operator's command line any).
    public func revoke(_ id: APIKeyID, tenant: TenantID? = nil, actor: AuditActor = .system) async throws -> Bool {
        let revoked = try await keys.revoke(id, tenant: tenant, now: clock.now(), actor: actor)
        // This process forgets at once; the others when PostgreSQL's notification reaches them.
        cache?.invalidate()
        return revoked
    }
}
