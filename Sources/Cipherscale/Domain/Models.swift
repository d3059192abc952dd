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

/// A user account's state. Users start `pending` until they accept their invitation.
public enum UserStatus: String, Sendable, CaseIterable {
    case pending
    case active
    case inactive
}

/// A role of a tenant.
public struct Role: Sendable, Equatable {
    public var id: String
    public var type: RoleType
    public var name: String
    public var description: String?
    public var deleteable: Bool
    public var createdAt: Millis
    public var updatedAt: Millis
}

/// A group as shown inside a user: no members, no roles.
public struct GroupSummary: Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String?
    public var createdAt: Millis
    public var updatedAt: Millis
}

/// A device's connection state, derived from `active` and the last heartbeat.
public enum DeviceStatus: String, Sendable, CaseIterable {
    case online = "Online"
    case offline = "Offline"
    case deactivated = "Deactivated"
}

/// The owner of a device as a Device answer shows it.
public struct DeviceOwner: Sendable, Equatable {
    public var id: String
    public var email: String
    public var firstName: String?
    public var lastName: String?
    public var lastConnection: Millis?
}

/// A device registered to a user.
public struct Device: Sendable, Equatable {
    public var id: String
    public var userId: String?
    public var name: String?
    public var hardwareId: String
    public var appVersion: String?
    /// The posture JSON object as the device sent it.
    public var posture: String?
    public var active: Bool
    public var lastConnection: Millis?
    public var createdAt: Millis
    public var updatedAt: Millis
    /// Derived when loaded: Deactivated, or Online within the online window, else Offline.
    public var status: DeviceStatus
    /// Loaded with device answers; nil inside a user (the user is the owner) or when the owner was deleted.
    public var owner: DeviceOwner?
}

/// A user with everything a User answer shows.
public struct User: Sendable, Equatable {
    public var id: String
    public var email: String
    public var firstName: String?
    public var lastName: String?
    public var image: String?
    public var status: UserStatus
    public var isOwner: Bool
    public var maxDevices: Int?
    public var lastConnection: Millis?
    public var createdAt: Millis
    public var updatedAt: Millis
    /// Effective roles: direct ones and those granted by groups, without duplicates, most privileged first.
    public var roles: [Role]
    public var groups: [GroupSummary]
    public var devices: [Device]
}

/// A member as shown inside a group.
public struct GroupMember: Sendable, Equatable {
    public var id: String
    public var email: String
    public var firstName: String?
    public var lastName: String?
    /// When the user joined the group.
    public var joinedAt: Millis
    public var updatedAt: Millis
}

/// A group with its roles and, when loaded, its first members.
public struct Group: Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String?
    public var isDefault: Bool
    public var deleteable: Bool
    public var maxDevices: Int?
    public var isSamlDefaultGroup: Bool
    public var idpMapping: [String]
    public var memberCount: Int
    public var createdAt: Millis
    public var updatedAt: Millis
    public var roles: [Role]
    /// The oldest members first, at most ``Group/memberLimit``; nil when not loaded (list answers).
    public var members: [GroupMember]?

    /// How many members a single group answer embeds.
    public static let memberLimit = 1000
}

/// One page of a list, with the exact number of matches.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int
    public var offset: Int
    public var limit: Int
    /// The position after the last item, when more items follow.
    public var nextCursor: String? = nil
    /// Whether the page was read with `after` (its offset from the start is then unknown).
    public var keyset: Bool = false

    public init(items: [Item], total: Int, offset: Int, limit: Int) {
        self.items = items
        self.total = total
        self.offset = offset
        self.limit = limit
    }

    /// A page of a list read with `query`, and the cursor of what follows it.
    init(items: [Item], total: Int, query: ListQuery, nextCursor: String?) {
        self.init(items: items, total: total, offset: query.offset, limit: query.limit)
        self.nextCursor = nextCursor
        self.keyset = query.after != nil
    }

    /// Whether items follow this page.
    public var hasNext: Bool {
        keyset ? nextCursor != nil : limit > 0 && offset + items.count < total
    }
    /// Whether items precede this page.
    public var hasPrevious: Bool { keyset || offset > 0 }
    /// The 0-based page number, unknown with `after`.
    public var number: Int? {
        keyset ? nil : (limit > 0 ? offset / limit : 0)
    }
}

/// A tenant: the unit of isolation. Its id is implied by the API key.
public struct Tenant: Sendable, Equatable {
    public var id: String
    public var name: String
    public var createdAt: Millis
}

/// The caller of a request, as established from its API key.
public struct Principal: Sendable, Equatable {
    public var tenantId: String
    public var keyId: String
    public var readOnly: Bool
}

/// An API key as listed (never with its secret).
public struct APIKeyRecord: Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var prefix: String
    public var readOnly: Bool
    public var createdAt: Millis
    public var revokedAt: Millis?
}
