/// A validated group body (create and full replacement).
public struct GroupDraft: Sendable, Equatable {
    public var name: String
    public var description: String?
    /// The roles the group grants, without duplicates.
    public var roleIds: [RoleID]
    public var maxDevices: Int?
    public var isSamlDefaultGroup: Bool
    public var idpMapping: [String]
}
