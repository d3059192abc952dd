/// Where in a request an input problem is, as values: the API layer turns it into a JSON pointer
/// (`/3/groups/1`) or a parameter name (`query:limit`), other doors into their own form.
public enum FieldLocation: Sendable, Equatable {
    /// A body field: `item` is the position in a batch (nil for a single object), `field` the
    /// top-level property, `element` the position inside an array property.
    case body(item: Int? = nil, field: String, element: Int? = nil)
    /// A query parameter.
    case query(String)
    /// A path parameter.
    case path(String)
    /// A request header.
    case header(String)
    /// A pointer made by the HTTP layer itself (decoding failures of the generated code).
    case pointer(String)
    /// A command-line option.
    case option(String)

    /// The same location outside any batch (a single object was sent).
    public var withoutItem: FieldLocation {
        if case .body(_, let field, let element) = self { return .body(item: nil, field: field, element: element) }
        return self
    }
}

extension FieldLocation: CustomStringConvertible {
    /// The location in words, for logs and the command line (each door renders its own form for clients).
    public var description: String {
        switch self {
        case .body(let item, let field, let element):
            (item.map { "item \($0) " } ?? "") + field + (element.map { "[\($0)]" } ?? "")
        case .query(let name): "query parameter \(name)"
        case .path(let name): "path parameter \(name)"
        case .header(let name): "header \(name)"
        case .pointer(let pointer): pointer
        case .option(let name): name
        }
    }
}
