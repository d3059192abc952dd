/// A user to create, as the client sent it (fields may be missing or mistyped; all are checked).
public struct CreateUserInput: Sendable {
    public var email: String?
    public var groups: [String]?
    /// Fields that were present with the wrong JSON type.
    public var mistypedFields: [String]

    /// An input as decoded from one item of the body.
    public init(email: String?, groups: [String]?, mistypedFields: [String] = []) {
        self.email = email
        self.groups = groups
        self.mistypedFields = mistypedFields
    }
}
