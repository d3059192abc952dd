/// A member as shown inside a group.
public struct GroupMember: Sendable, Equatable {
    public var id: UserID
    public var email: String
    public var firstName: String?
    public var lastName: String?
    /// When the user joined the group.
    public var joinedAt: Millis
    public var updatedAt: Millis
}
