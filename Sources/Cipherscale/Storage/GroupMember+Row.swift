import SQLKit

extension GroupMember {
    /// A member row: the user's `id`, `email`, `first_name`, `last_name`, `updated_at` and the membership's `joined_at`.
    init(row: any SQLRow) throws {
        self.init(
            id: try row.id("id"),
            email: try row.decode(column: "email", as: String.self),
            firstName: try row.decode(column: "first_name", as: String?.self),
            lastName: try row.decode(column: "last_name", as: String?.self),
            joinedAt: try row.decode(column: "joined_at", as: Millis.self),
            updatedAt: try row.decode(column: "updated_at", as: Millis.self)
        )
    }
}
