/// A group as shown inside a user: no members, no roles.
public struct GroupSummary: Sendable, Equatable {
    public var id: GroupID
    public var name: String
    public var description: String?
    public var createdAt: Millis
    public var updatedAt: Millis
}
