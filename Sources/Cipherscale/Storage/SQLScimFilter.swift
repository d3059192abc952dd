import Foundation
import SQLKit

/// Turns a ``ScimFilter`` into one SQL condition over a resource's columns, with every value bound.
/// Equality on `userName`, `externalId` and `id` compares the indexed column itself, so those
/// lookups are index seeks; attributes not in `columns` are `invalidFilter`.
struct SQLScimFilter {
    /// The filterable attributes by ``ScimAttributePath/key``.
    let columns: [String: ScimColumn]
    /// The resource, for messages.
    let resource: String

    /// The engine and tenant a condition is made for (the trigram index differs per engine, and
    /// SQLite's is searched by tenant range).
    struct Target {
        var kind: DatabaseKind
        var tenantId: String
    }

    /// The condition for `filter`.
    func condition(_ filter: ScimFilter, for target: Target) throws(ScimError) -> SQLQueryString {
        try clause(filter.flattened, for: target)
    }

    /// The condition for a filter without value paths.
    private func clause(_ filter: ScimFilter, for target: Target) throws(ScimError) -> SQLQueryString {
        switch filter {
        case .and(let left, let right): return "(" + (try clause(left, for: target)) + " AND " + (try clause(right, for: target)) + ")"
        case .or(let left, let right): return "(" + (try clause(left, for: target)) + " OR " + (try clause(right, for: target)) + ")"
        case .not(let inner): return "NOT (" + (try clause(inner, for: target)) + ")"
        case .present(let path): return try present(column(path))
        case .compare(let path, let op, let value): return try compare(column(path), path: path, op: op, value: value, target: target)
        case .valuePath: return "1 = 0"
        }
    }

    /// The ORDER BY expression of a sort attribute (nil when it cannot be sorted on).
    func sortExpression(_ path: ScimAttributePath) -> String? {
        switch columns[path.key] ?? columns[path.key + ".value"] {
        case .text(let column, let caseExact, let folded, _)?: return caseExact || folded ? column : "lower(\(column))"
        case .time(let column)?: return column
        default: return nil
        }
    }

    private func column(_ path: ScimAttributePath) throws(ScimError) -> ScimColumn {
        // A complex attribute named without a sub-attribute means its `value` (`emails co "x"`).
        guard let column = columns[path.key] ?? columns[path.key + ".value"] else {
            throw .invalidFilter("\(resource) cannot be filtered by '\(path)'.")
        }
        return column
    }

    private func present(_ column: ScimColumn) -> SQLQueryString {
        switch column {
        case .text(let name, _, _, _): return "(\(unsafeRaw: name) IS NOT NULL AND \(unsafeRaw: name) <> '')"
        case .time(let name): return "\(unsafeRaw: name) IS NOT NULL"
        case .flag: return "1 = 1"
        case .constant(let value): return value == .null ? "1 = 0" : "1 = 1"
        case .relation(let exists, _): return "EXISTS (\(unsafeRaw: exists)1 = 1)"
        }
    }

    private func compare(_ column: ScimColumn, path: ScimAttributePath, op: ScimComparison, value: ScimFilterValue, target: Target)
        throws(ScimError) -> SQLQueryString
    {
        switch column {
        case .text(let name, let caseExact, let folded, let search):
            let condition = try text(name, caseExact: caseExact, folded: folded, path: path, op: op, value: value)
            guard case .string(let text) = value else { return condition }
            let stored = caseExact || folded
            if stored && op == .eq { return condition }  // the column's B-tree index serves equality
            if stored && op == .sw && target.kind == .sqlite {
                // A prefix is a range of the B-tree index (SQLite compares bytes; the LIKE keeps it exact).
                let prefix = caseExact ? text : text.lowercased()
                return "(\(unsafeRaw: name) >= \(bind: prefix) AND \(unsafeRaw: name) < \(bind: prefix + "\u{10FFFF}") AND " + condition + ")"
            }
            guard let search, [.eq, .co, .sw, .ew].contains(op) else { return condition }
            return Self.indexed(condition, column: search, text: text.lowercased(), op: op, target: target)
        case .relation(let exists, let name):
            let inner = try text(name, caseExact: true, folded: false, path: path, op: op == .ne ? .eq : op, value: value)
            return op == .ne ? "NOT EXISTS (\(unsafeRaw: exists)" + inner + ")" : "EXISTS (\(unsafeRaw: exists)" + inner + ")"
        case .time(let name):
            guard case .string(let text) = value, let millis = Timestamps.parse(text) else {
                throw .invalidFilter("'\(path)' is compared with a date-time such as \"2026-01-31T12:00:00Z\".")
            }
            guard let symbol = Self.orderSymbols[op] else { throw .invalidFilter("'\(op.rawValue)' does not apply to the date-time '\(path)'.") }
            return "\(unsafeRaw: name) \(unsafeRaw: symbol) \(bind: millis)"
        case .flag(let condition):
            guard op == .eq || op == .ne, let flag = value.boolean else {
                throw .invalidFilter("'\(path)' is compared with eq or ne and true or false.")
            }
            return (flag == (op == .eq)) ? "(\(unsafeRaw: condition))" : "NOT (\(unsafeRaw: condition))"
        case .constant(let constant):
            let holds: Bool
            switch op {
            case .eq: holds = Self.same(constant, value)
            case .ne: holds = !Self.same(constant, value)
            default: throw .invalidFilter("'\(path)' is compared with eq or ne.")
            }
            return holds ? "1 = 1" : "1 = 0"
        }
    }

    private func text(_ name: String, caseExact: Bool, folded: Bool, path: ScimAttributePath, op: ScimComparison, value: ScimFilterValue)
        throws(ScimError) -> SQLQueryString
    {
        if value == .null {
            switch op {
            case .eq: return "\(unsafeRaw: name) IS NULL"
            case .ne: return "\(unsafeRaw: name) IS NOT NULL"
            default: throw .invalidFilter("null is compared with eq or ne only.")
            }
        }
        guard case .string(let raw) = value else { throw .invalidFilter("'\(path)' is text: compare it with a quoted string.") }
        let expression = caseExact || folded ? name : "lower(\(name))"
        let operand = caseExact ? raw : raw.lowercased()
        switch op {
        case .eq: return "\(unsafeRaw: expression) = \(bind: operand)"
        case .ne: return "(\(unsafeRaw: name) IS NULL OR \(unsafeRaw: expression) <> \(bind: operand))"
        case .co: return "\(unsafeRaw: expression) LIKE \(bind: "%" + ListSQL.escapeLike(operand) + "%") ESCAPE '\\'"
        case .sw: return "\(unsafeRaw: expression) LIKE \(bind: ListSQL.escapeLike(operand) + "%") ESCAPE '\\'"
        case .ew: return "\(unsafeRaw: expression) LIKE \(bind: "%" + ListSQL.escapeLike(operand)) ESCAPE '\\'"
        case .gt, .ge, .lt, .le: return "\(unsafeRaw: expression) \(unsafeRaw: Self.orderSymbols[op]!) \(bind: operand)"
        }
    }

    /// `condition`, found through the trigram index: on SQLite the rows whose `column` holds the text
    /// (three characters or more) in the tenant's range of `users_search`, then tested exactly; on
    /// PostgreSQL `lower(column)`, which its GIN trigram index serves for LIKE and equality.
    private static func indexed(_ condition: SQLQueryString, column: String, text: String, op: ScimComparison, target: Target)
        -> SQLQueryString
    {
        switch target.kind {
        case .postgres:
            let pattern: String
            switch op {
            case .co: pattern = "%" + ListSQL.escapeLike(text) + "%"
            case .sw: pattern = ListSQL.escapeLike(text) + "%"
            case .ew: pattern = "%" + ListSQL.escapeLike(text)
            default: return "(lower(\(unsafeRaw: column)) = \(bind: text) AND " + condition + ")"
            }
            return "(lower(\(unsafeRaw: column)) LIKE \(bind: pattern) ESCAPE '\\' AND " + condition + ")"
        case .sqlite:
            guard text.count >= 3 else { return condition }
            let phrase = "{\(column)}: " + ListSQL.ftsPhrase(text)
            return
                "(u.rowid IN (SELECT users_search.rowid % \(unsafeRaw: String(SearchIndex.tenantStride)) FROM users_search WHERE users_search MATCH \(bind: phrase)"
                + SearchIndex.tenantRange(target.tenantId) + ") AND " + condition + ")"
        }
    }

    private static let orderSymbols: [ScimComparison: String] = [.eq: "=", .ne: "<>", .gt: ">", .ge: ">=", .lt: "<", .le: "<="]

    private static func same(_ constant: ScimFilterValue, _ value: ScimFilterValue) -> Bool {
        switch (constant, value) {
        case (.string(let left), .string(let right)): return left.lowercased() == right.lowercased()
        case (.bool(let left), _): return value.boolean == left
        default: return constant == value
        }
    }
}
