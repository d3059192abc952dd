/// Tenant A's data for the isolation suites, as ``IsolationTestSupport/seedA(_:)`` makes it: users (one in
/// a custom group, one with a direct ADMIN role, one plain), a custom group that grants BILLING, and A's roles.
struct SeededTenantA {
    var grouped: String
    var admin: String
    var plain: String
    var group: String
    var defaultGroup: String
    var adminRole: String
    var billingRole: String
    var ownerRole: String
    var users: [String] { [grouped, admin, plain] }
}
