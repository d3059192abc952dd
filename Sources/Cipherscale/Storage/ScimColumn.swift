import SQLKit

/// How one SCIM attribute of a resource is stored, for ``SQLScimFilter``.
enum ScimColumn: Sendable {
    /// A text column. `caseExact` attributes compare as stored; the others without case, through
    /// `lower(column)`, or the column itself when it already holds lower-cased text (`folded`).
    /// `search` names the column in the users' trigram index (SQLite's `users_search`, PostgreSQL's
    /// `lower(column)` GIN indexes), which then finds substrings, prefixes and equal values.
    case text(String, caseExact: Bool, folded: Bool = false, search: String? = nil)
    /// A timestamp column in milliseconds, compared with ISO-8601 date-times.
    case time(String)
    /// A boolean attribute that is true exactly when the condition holds (`active`).
    case flag(String)
    /// An attribute with the same value for every resource (`emails.type` is "work").
    case constant(ScimFilterValue)
    /// A multi-valued reference held in another table: `exists` is the start of an `EXISTS` subquery
    /// (ending in `AND `), `column` the referenced id in it.
    case relation(exists: String, column: String)
}
