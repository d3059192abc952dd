import SQLKit

extension Role {
    /// A row of `roles`.
    init(row: any SQLRow) throws {
        self.init(
            id: try row.id("id"),
            type: RoleType(rawValue: try row.decode(column: "type", as: String.self)) ?? .basic,
            name: try row.decode(column: "name", as: String.self),
            description: try row.decode(column: "description", as: String?.self),
            deleteable: try row.decode(column: "deleteable", as: Bool.self),
            createdAt: try row.decode(column: "created_at", as: Millis.self),
            updatedAt: try row.decode(column: "updated_at", as: Millis.self)
        )
    }
}
