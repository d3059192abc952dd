import Synchronization

/// The roles of each tenant seen so far (at most a few hundred bytes per tenant).
final class RoleCache: Sendable {
    private let entries = Mutex<[TenantID: [RoleID: Role]]>([:])

    /// The cached roles of a tenant.
    func roles(of tenantId: TenantID) -> [RoleID: Role]? { entries.withLock { $0[tenantId] } }

    /// Keeps a tenant's complete set of roles.
    func keep(_ roles: [RoleID: Role], for tenantId: TenantID) { entries.withLock { $0[tenantId] = roles } }
}
