/// Reading values out of SCIM bodies, shared by users and groups.
enum ScimResource {
    /// A body's `schemas`, when given, must name `expected`.
    static func checkSchemas(_ body: JSONValue, expected: String) throws(ScimError) {
        guard let schemas = body["schemas"], !schemas.isNull else { return }
        guard let items = schemas.items, items.contains(where: { $0.text?.lowercased() == expected.lowercased() }) else {
            throw .invalidValue("schemas must include \(expected).")
        }
    }

    /// A string attribute, nil when absent or null; anything else is `invalidValue`.
    static func optionalText(_ value: JSONValue?, _ name: String) throws(ScimError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.text else { throw .invalidValue("\(name) must be a string.") }
        return text
    }

    /// A boolean, or the strings "True"/"False" (any case) that some providers send.
    static func boolean(_ value: JSONValue) -> Bool? {
        switch value {
        case .bool(let flag): return flag
        case .string(let text): return ScimFilterValue.string(text).boolean
        default: return nil
        }
    }
}
