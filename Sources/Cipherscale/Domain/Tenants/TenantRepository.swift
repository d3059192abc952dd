/// Where tenants and the server's own secrets live.
public protocol TenantRepository: Sendable {
    /// Creates a tenant with its seven system roles, its Default group and its owner; returns the tenant and owner ids.
    func create(name: String, ownerEmail: String, now: Millis) async throws -> (tenantId: TenantID, ownerUserId: UserID)
    /// Creates the first tenant, or nothing (nil) when one exists, atomically across processes.
    func createFirst(name: String, ownerEmail: String, now: Millis) async throws -> (tenantId: TenantID, ownerUserId: UserID)?
    /// How many tenants exist.
    func count() async throws -> Int
    /// A named server secret, created with `create` on first use (all processes sharing the database agree).
    func serverSecret(name: String, now: Millis, create: @Sendable () -> String) async throws -> String
    /// Whether the database answers.
    func ping() async -> Bool
    /// The names of this build's migrations not applied to the database (throws when it does not answer).
    func pendingMigrations() async throws -> (applied: Int, pending: [String])
}
