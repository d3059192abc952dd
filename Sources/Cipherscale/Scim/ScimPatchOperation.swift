/// One operation of a PATCH request (RFC 7644 3.5.2).
struct ScimPatchOperation: Sendable {
    enum Kind: String, Sendable { case add, replace, remove }

    var kind: Kind
    var path: ScimPatchPath?
    var value: JSONValue?

    /// The most operations one PATCH may hold.
    static let maxOperations = 1000

    /// The operations of a PatchOp body. Operation names are case-insensitive (Entra ID sends `Replace`).
    static func parse(_ body: JSONValue) throws(ScimError) -> [ScimPatchOperation] {
        guard body.members != nil else { throw .invalidSyntax("A PATCH body is a PatchOp object.") }
        try ScimResource.checkSchemas(body, expected: ScimURN.patchOp)
        guard let items = body["Operations"]?.items, !items.isEmpty else { throw .invalidSyntax("Operations must be a non-empty array.") }
        guard items.count <= maxOperations else { throw .tooMany("A PATCH may hold at most \(maxOperations) operations; got \(items.count).") }
        var operations: [ScimPatchOperation] = []
        for item in items {
            guard let name = item["op"]?.text, let kind = Kind(rawValue: name.lowercased()) else {
                throw .invalidSyntax("Each operation's op must be add, replace or remove.")
            }
            var path: ScimPatchPath?
            if let text = item["path"]?.text {
                path = try ScimPatchPath.parse(text)
            } else if let value = item["path"], !value.isNull {
                throw .invalidPath("path must be a string.")
            }
            let value = item["value"]
            switch kind {
            case .remove where path == nil: throw .noTarget("A remove operation needs a path.")
            case .add, .replace:
                guard let value, !value.isNull || path != nil else { throw .invalidValue("A \(kind.rawValue) operation needs a value.") }
                if path == nil, value.members == nil {
                    throw .invalidValue("Without a path, the value of \(kind.rawValue) is an object of attributes.")
                }
            default: break
            }
            operations.append(ScimPatchOperation(kind: kind, path: path, value: value))
        }
        return operations
    }
}
