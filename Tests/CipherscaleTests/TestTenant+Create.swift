import Foundation

@testable import Cipherscale

extension TestTenant {
    /// Creates a tenant with its owner, and a read-only key besides the admin key.
    static func create(_ name: String, owner email: String, services: DirectoryServices) async throws -> TestTenant {
        let created = try await services.tenants.create(name: name, ownerEmail: email)
        let readOnly = try await services.keys.create(tenant: created.tenantId, readOnly: true)
        return TestTenant(
            id: created.tenantId.rawValue, ownerId: created.ownerUserId.rawValue, adminKey: created.apiKey, readOnlyKey: readOnly.apiKey)
    }
}
