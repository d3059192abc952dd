/// A group with its roles and, when loaded, its first members.
public struct Group: Sendable, Equatable {
    public var id: GroupID
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
    /// The identity provider's id of the group, set over SCIM; nil otherwise.
    public var externalId: String? = nil

    /// How many members a single group answer embeds.
    public static let memberLimit = 1000
}
