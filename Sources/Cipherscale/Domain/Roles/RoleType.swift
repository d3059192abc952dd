/// The seven system roles every tenant has, in order of privilege (most privileged first).
public enum RoleType: String, Sendable, CaseIterable {
    case owner = "OWNER"
    case admin = "ADMIN"
    case defaultRole = "DEFAULT"
    case basic = "BASIC"
    case billing = "BILLING"
    case auditor = "AUDITOR"
    case support = "SUPPORT"

    /// The display name a new tenant gives the role.
    var displayName: String {
        switch self {
        case .owner: "Owner"
        case .admin: "Admin"
        case .defaultRole: "Default"
        case .basic: "Basic"
        case .billing: "Billing"
        case .auditor: "Auditor"
        case .support: "Support"
        }
    }

    /// What the role is for, as a new tenant describes it.
    var summary: String {
        switch self {
        case .owner: "Full control of the tenant, held by its owner. Cannot be assigned through the API."
        case .admin: "Manages users, groups, devices and policies."
        case .defaultRole: "Granted to every member of the Default group."
        case .basic: "May connect to the network with their own devices."
        case .billing: "Manages billing and subscriptions."
        case .auditor: "Reads configuration and logs without changing them."
        case .support: "Helps users with their accounts and devices."
        }
    }

    /// Position in privilege order (0 is the most privileged).
    var rank: Int { Self.allCases.firstIndex(of: self)! }
}
