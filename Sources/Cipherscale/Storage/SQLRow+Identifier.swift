import SQLKit

extension SQLRow {
    /// A stored id column as a typed id.
    func id<Kind>(_ column: String) throws -> Identifier<Kind> {
        Identifier(trusted: try decode(column: column, as: String.self))
    }

    /// A nullable stored id column as a typed id.
    func optionalId<Kind>(_ column: String) throws -> Identifier<Kind>? {
        try decode(column: column, as: String?.self).map(Identifier.init(trusted:))
    }
}
