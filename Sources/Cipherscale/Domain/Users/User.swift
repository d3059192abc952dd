/// A user with everything a User answer shows.
public struct User: Sendable, Equatable {
    public var id: UserID
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
    /// The identity provider's id of the user, set over SCIM; nil otherwise.
    public var externalId: String? = nil
}
