import Foundation

/// Creating tenants (command line and first start).
public struct TenantService: Sendable {
    /// Where tenants live.
    let tenants: any TenantRepository
    /// Gives each new tenant its first key.
    let keys: KeyService
    /// The time of each change.
    let clock: any DirectoryClock

    /// A service over `tenants`.
    public init(tenants: any TenantRepository, keys: KeyService, clock: any DirectoryClock) {
        self.tenants = tenants
        self.keys = keys
        self.clock = clock
    }

    /// Creates a tenant with its owner and a first admin key; the key's text is returned once.
    public func create(name: String, ownerEmail: String) async throws -> CreatedTenant {
        var errors: [FieldError] = []
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.count > Validation.maxNameLength { errors.append(FieldError(.option("name"), "must be 1 to 100 characters")) }
        if !Validation.isValidEmail(ownerEmail) { errors.append(FieldError(.option("owner-email"), "is not a valid email address")) }
        if !errors.isEmpty { throw DirectoryError.invalid("The tenant is not valid.", errors) }
        let created = try await tenants.create(name: trimmed, ownerEmail: ownerEmail, now: clock.now())
        let key = try await keys.create(tenant: created.tenantId, readOnly: false)
        return CreatedTenant(tenantId: created.tenantId, ownerUserId: created.ownerUserId, apiKey: key.apiKey)
    }

    /// A fresh database's first tenant with its first admin key, or nil when the database has a
    /// tenant: of several servers starting together on one empty database, exactly one creates it.
    public func createFirst(name: String, ownerEmail: String) async throws -> CreatedTenant? {
        guard let created = try await tenants.createFirst(name: name, ownerEmail: ownerEmail, now: clock.now()) else { return nil }
        let key = try await keys.create(tenant: created.tenantId, readOnly: false)
        return CreatedTenant(tenantId: created.tenantId, ownerUserId: created.ownerUserId, apiKey: key.apiKey)
    }

    /// How many tenants exist.
    public func count() async throws -> Int {
        try await tenants.count()
    }

    /// Whether the database answers (the health check).
    public func databaseAnswers() async -> Bool {
        await tenants.ping()
    }

    /// How many migrations are applied, when the database answers and has every one of this build's
    /// (the readiness check); else 503 saying which is missing.
    public func readiness() async throws -> Int {
        let state: (applied: Int, pending: [String])
        do {
            state = try await tenants.pendingMigrations()
        } catch {
            throw DirectoryError(.unavailable, "The database does not answer.")
        }
        guard state.pending.isEmpty else {
            throw DirectoryError(
                .unavailable, "The database lacks \(state.pending.count) migration(s) of this build: \(state.pending.joined(separator: ", ")).")
        }
        return state.applied
    }

    /// The invitation token key: `configured` when given, else a random secret created once in the database.
    public func invitationTokens(configured: String?) async throws -> InvitationTokens {
        if let configured { return InvitationTokens(secret: Data(Secrets.sha256(configured))) }
        let stored = try await tenants.serverSecret(name: "invitation-token-key", now: clock.now()) {
            InvitationTokens.randomSecret().base64EncodedString()
        }
        return InvitationTokens(secret: Data(base64Encoded: stored) ?? Data(stored.utf8))
    }
}
