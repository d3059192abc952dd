/// A validated new user, ready to insert.
public struct NewUser: Sendable, Equatable {
    public var email: String
    /// The groups to join, as sent (a repeated id joins once); empty means the Default group.
    public var groupIds: [GroupID]
}
