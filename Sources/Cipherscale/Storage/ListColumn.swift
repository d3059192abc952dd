import Foundation
import PostgresNIO
import SQLKit
import SQLiteNIO

/// How one listable field maps to SQL. Column names are fixed strings from this file, never input.
struct ListColumn: Sendable {
    /// The column expression (`u.email_key`).
    var expression: String
    /// Whether the column may be NULL (decides NULL placement in sorts and `ne` semantics).
    var nullable: Bool
    /// For relation fields: the subquery selecting the related ids of the outer row, with `?` for the value list.
    var relation: (@Sendable (SQLQueryString) -> SQLQueryString)?

    init(_ expression: String, nullable: Bool = false) {
        self.expression = expression
        self.nullable = nullable
        self.relation = nil
    }

    /// For relation fields: the subquery selecting the ids of every row related to the value list
    /// (the members of these groups), for reading few matches directly instead of testing each row.
    var members: (@Sendable (SQLQueryString) -> SQLQueryString)?

    init(
        relation: @escaping @Sendable (SQLQueryString) -> SQLQueryString, members: (@Sendable (SQLQueryString) -> SQLQueryString)? = nil
    ) {
        self.expression = ""
        self.nullable = false
        self.relation = relation
        self.members = members
    }

    /// A derived value: `expression` orders it, and `predicate` turns one filter value into a condition.
    init(derived expression: String, predicate: @escaping @Sendable (FilterValue) -> SQLQueryString) {
        self.expression = expression
        self.nullable = false
        self.relation = nil
        self.predicate = predicate
    }

    /// For derived values: the condition that the value equals the given one.
    var predicate: (@Sendable (FilterValue) -> SQLQueryString)?
}
