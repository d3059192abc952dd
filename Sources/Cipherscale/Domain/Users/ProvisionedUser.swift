/// A user as an identity provider states it over SCIM: the whole provisioned state, for a create
/// or a full replacement (a PATCH is applied to the current state first).
public struct ProvisionedUser: Sendable, Equatable {
    /// The email, which is also the SCIM `userName`.
    public var email: String
    public var firstName: String?
    public var lastName: String?
    /// The provider's own id of the user.
    public var externalId: String?
    /// False deactivates, true keeps or makes the user usable.
    public var active: Bool

    /// A provisioned state.
    public init(email: String, firstName: String?, lastName: String?, externalId: String?, active: Bool) {
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.externalId = externalId
        self.active = active
    }
}
