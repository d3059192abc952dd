/// A group body as the client sent it.
public struct GroupInput: Sendable {
    public var name: String
    public var description: String?
    public var roles: [String]
    public var maxDevices: Int?
    public var isSamlDefaultGroup: Bool?
    public var idpMapping: [String]?

    /// An input with every field of the body.
    public init(name: String, description: String?, roles: [String], maxDevices: Int?, isSamlDefaultGroup: Bool?, idpMapping: [String]?) {
        self.name = name
        self.description = description
        self.roles = roles
        self.maxDevices = maxDevices
        self.isSamlDefaultGroup = isSamlDefaultGroup
        self.idpMapping = idpMapping
    }
}
