/// A group's fields as an identity provider states them over SCIM (its name and its own id); the
/// REST-only fields (description, roles, device limit) are left as they are.
public struct ProvisionedGroup: Sendable, Equatable {
    public var name: String
    /// The provider's own id of the group.
    public var externalId: String?

    /// A provisioned state.
    public init(name: String, externalId: String?) {
        self.name = name
        self.externalId = externalId
    }
}
