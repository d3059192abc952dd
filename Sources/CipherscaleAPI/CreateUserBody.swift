/// The `CreateUser` schema of `openapi.yaml`, written by hand (see `typeOverrides`).
///
/// A batch must report every failing item by index. The generated type would reject the whole
/// body at the first item with a missing or mistyped field, so this one decodes any JSON object
/// and remembers which fields were missing or of the wrong type; the server validates the rest.
public struct CreateUserBody: Codable, Hashable, Sendable {
    /// The email, when present and a string.
    public var email: String?
    /// The group ids, when present and an array of strings.
    public var groups: [String]?
    /// Names of fields that were present with the wrong JSON type.
    public var mistypedFields: [String]

    public init(email: String?, groups: [String]?, mistypedFields: [String] = []) {
        self.email = email
        self.groups = groups
        self.mistypedFields = mistypedFields
    }

    enum CodingKeys: String, CodingKey {
        case email, groups
    }

    public init(from decoder: any Decoder) throws {
        // Anything but a JSON object still fails, so a `oneOf` can tell an object from an array.
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var mistyped: [String] = []
        func field<T: Decodable>(_ key: CodingKeys, as type: T.Type) -> T? {
            guard container.contains(key) else { return nil }
            if let value = try? container.decode(T.self, forKey: key) { return value }
            mistyped.append(key.rawValue)
            return nil
        }
        email = field(.email, as: String.self)
        groups = field(.groups, as: [String].self)
        mistypedFields = mistyped
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(email, forKey: .email)
        try container.encodeIfPresent(groups, forKey: .groups)
    }
}
