/// A user's own row, without roles, groups or devices: what the rules look at once it is locked.
public struct UserRecord: Sendable, Equatable {
    public var id: UserID
    public var email: String
    public var firstName: String?
    public var lastName: String?
    public var image: String?
    public var status: UserStatus
    public var isOwner: Bool
    /// The user's own device limit, if set.
    public var maxDevices: Int?
    public var lastConnection: Millis?
    public var createdAt: Millis
    public var updatedAt: Millis
    /// The identity provider's id of the user, set over SCIM.
    public var externalId: String? = nil
}
