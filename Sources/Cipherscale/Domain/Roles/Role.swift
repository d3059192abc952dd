/// A role of a tenant.
public struct Role: Sendable, Equatable {
    public var id: RoleID
    public var type: RoleType
    public var name: String
    public var description: String?
    public var deleteable: Bool
    public var createdAt: Millis
    public var updatedAt: Millis
}
