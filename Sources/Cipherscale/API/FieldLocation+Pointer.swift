extension FieldLocation {
    /// How the REST API names the location in a problem's `errors`: a JSON pointer into the body
    /// (`/3/groups/1`, `/email`), `query:NAME`, `path:NAME` or `header:NAME`.
    var pointer: String {
        switch self {
        case .body(let item, let field, let element):
            (item.map { "/\($0)" } ?? "") + "/" + field + (element.map { "/\($0)" } ?? "")
        case .query(let name): name.isEmpty ? "query" : "query:" + name
        case .path(let name): "path:" + name
        case .header(let name): "header:" + name
        case .pointer(let pointer): pointer
        case .option(let name): name
        }
    }
}
