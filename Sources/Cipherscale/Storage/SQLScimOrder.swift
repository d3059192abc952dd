import SQLKit

/// The ORDER BY of a SCIM list: the sort attribute (missing values last ascending, first
/// descending, on both engines), then the id so pages never overlap.
enum SQLScimOrder {
    static func clause(_ query: ScimQuery, filter: SQLScimFilter, fallback: String, id: String) -> SQLQueryString {
        let direction = query.descending ? " DESC" : " ASC"
        guard let path = query.sortBy, let expression = filter.sortExpression(path) else {
            return " ORDER BY \(unsafeRaw: fallback + direction), \(unsafeRaw: id + direction)"
        }
        return
            " ORDER BY (\(unsafeRaw: expression) IS NULL)\(unsafeRaw: direction), \(unsafeRaw: expression + direction), \(unsafeRaw: id + direction)"
    }
}
