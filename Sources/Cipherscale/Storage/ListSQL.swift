import Foundation
import PostgresNIO
import SQLKit
import SQLiteNIO

/// Turns a parsed ``ListQuery`` into WHERE and ORDER BY fragments with every value bound.
struct ListSQL {
    let columns: [String: ListColumn]
    /// Columns matched by `search` (lower-cased substring).
    let searchColumns: [String]
    /// The id column every order ends with.
    let idColumn: String
    /// On SQLite, a condition that finds the search text through a trigram index (given the FTS5
    /// phrase), used for texts of three characters or more; nil: search scans. With `asFilter`, the
    /// condition must not drive the plan (it is tested on rows read in the order's index instead).
    var sqliteSearchIndex: (@Sendable (_ phrase: String, _ asFilter: Bool) -> SQLQueryString)? = nil

    /// ` AND ...` conditions for the filters and search (empty when there are none).
    ///
    /// `searchAsFilter` (SQLite): read rows in the sort index's order and keep those the search
    /// matches, rather than look up every match and sort them; right when matches are common.
    ///
    /// `relationsAsSets`: a relation filter (`groups.id`, `roles.id`) that matches few rows reads
    /// those rows by id (`id IN (members)`), which the plan then sorts, instead of testing each row
    /// of the sort index for membership; right when members are few.
    func conditions(for query: ListQuery, kind: DatabaseKind, searchAsFilter: Bool = false, relationsAsSets: Bool = false)
        -> SQLQueryString
    {
        var sql: SQLQueryString = ""
        for filter in query.filters {
            guard let column = columns[filter.field] else { continue }
            if relationsAsSets, filter.op == .eq || filter.op == .in, let members = column.members {
                let binds: [any Encodable & Sendable] = filter.values.map(\.bindable)
                sql += " AND \(unsafeRaw: idColumn) IN (" + members(SQLQueryString("\(binds: binds)")) + ")"
            } else {
                sql += " AND " + condition(filter, column: column)
            }
        }
        // Rows read in the order's index and tested one by one: for ASCII text, each row's own
        // columns are tested with the LIKE below (the same case-insensitive substring match), which
        // is far cheaper than building the list of every match to test rows against (10 ms for the
        // 20,000 matches of a common fragment among a million users, against under 1 ms).
        let testsRowsWithLike = searchAsFilter && query.search?.utf8.allSatisfy { $0 < 0x80 } == true
        if let search = query.search, kind == .sqlite, search.count >= 3, let index = sqliteSearchIndex, !testsRowsWithLike {
            // A quoted FTS5 phrase: with the trigram tokenizer it matches the text as a substring of
            // one column, case-insensitively, exactly like the LIKE below.
            sql += " AND " + index(Self.ftsPhrase(search), searchAsFilter)
        } else if let search = query.search {
            let pattern = "%" + Self.escapeLike(search) + "%"
            let parts = searchColumns.map { column -> SQLQueryString in
                "lower(\(unsafeRaw: column)) LIKE \(bind: pattern) ESCAPE '\\'"
            }
            sql += " AND (" + parts.joined(separator: " OR ") + ")"
        }
        return sql
    }

    /// `search` as a quoted FTS5 phrase (quotes in it are text, not syntax).
    static func ftsPhrase(_ search: String) -> String {
        "\"" + search.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// ` ORDER BY ...` for the sort keys, always ending with the id.
    ///
    /// NULLs come after values ascending and before them descending, on both engines. PostgreSQL's
    /// default index order is exactly that. SQLite puts NULLs first and cannot use an index for
    /// `NULLS LAST`, so there the order is spelled `(column IS NULL), column`, which the expression
    /// indexes of migration 003 match, and a sort on a nullable column reads an index, not the table.
    func orderBy(for query: ListQuery, kind: DatabaseKind) -> SQLQueryString {
        let seeksPastNulls = seeksPastNulls(query)
        var keys: [String] = []
        for key in query.sort {
            guard let column = columns[key.field] else { continue }
            let direction = key.descending ? " DESC" : " ASC"
            if column.nullable {
                switch kind {
                case .postgres: keys.append(column.expression + direction + (key.descending ? " NULLS FIRST" : " NULLS LAST"))
                case .sqlite where seeksPastNulls:
                    // The keyset condition has already excluded NULLs, and with the NULL term the
                    // planner would sort instead of reading the index in order.
                    keys.append(column.expression + direction)
                case .sqlite: keys += ["(\(column.expression) IS NULL)" + direction, column.expression + direction]
                }
            } else {
                keys.append(column.expression + direction)
            }
        }
        // The tie-break runs in the last key's direction, so one index (…, key, id) serves the
        // whole order in either direction, with no sort of a block of equal keys.
        keys.append(idColumn + (query.sort.last?.descending == true ? " DESC" : " ASC"))
        return SQLQueryString(" ORDER BY " + keys.joined(separator: ", "))
    }

    /// ` AND ...`: the rows after the query's `after` cursor in its order (empty without a cursor).
    ///
    /// When every key runs one way and no NULL is involved this is one row-value comparison,
    /// `(key, id) > (?, ?)`, which both engines answer with a seek into the sort index, so a page
    /// a million rows deep costs what the first does. Otherwise it is spelled out key by key
    /// (`k1 > ? OR (k1 = ? AND k2 > ?) ...`), with NULLs placed as ``orderBy(for:kind:)`` places them.
    func keyset(for query: ListQuery, kind: DatabaseKind) -> SQLQueryString {
        guard let after = query.after else { return "" }
        struct Key {
            var expression: String
            var nullable: Bool
            var descending: Bool
            var value: (any Encodable & Sendable)?
        }
        var keys: [Key] = []
        for (sortKey, value) in zip(query.sort, after.values) {
            guard let column = columns[sortKey.field] else { continue }
            keys.append(Key(expression: column.expression, nullable: column.nullable, descending: sortKey.descending, value: value.bindable))
        }
        keys.append(Key(expression: idColumn, nullable: false, descending: query.sort.last?.descending == true, value: after.id))

        let descending = keys[0].descending
        if seeksPastNulls(query) {
            // Descending on a nullable column, NULLs come first and are all before the cursor; on
            // SQLite, naming the index's leading `(column IS NULL)` lets it seek past them.
            var sql: SQLQueryString = " AND "
            if kind == .sqlite {
                for key in keys where key.nullable { sql += "(\(unsafeRaw: key.expression) IS NULL) = 0 AND " }
            }
            let values = keys.compactMap(\.value)
            sql +=
                "(" + SQLQueryString(keys.map(\.expression).joined(separator: ", ")) + ")"
                + (descending ? " < " : " > ") + "(\(binds: values))"
            return sql
        }
        var alternatives: [SQLQueryString] = []
        var equalSoFar: [SQLQueryString] = []
        for key in keys {
            let column = key.expression
            let after: SQLQueryString?
            switch (key.value, key.descending) {
            case (nil, false): after = nil  // ascending, NULLs are last: nothing follows but more NULLs
            case (nil, true): after = "\(unsafeRaw: column) IS NOT NULL"
            case (let value?, false):
                after =
                    key.nullable
                    ? "(\(unsafeRaw: column) > \(bind: value) OR \(unsafeRaw: column) IS NULL)" : "\(unsafeRaw: column) > \(bind: value)"
            case (let value?, true): after = "\(unsafeRaw: column) < \(bind: value)"
            }
            if let after { alternatives.append((equalSoFar + [after]).joined(separator: " AND ")) }
            if let value = key.value {
                equalSoFar.append("\(unsafeRaw: column) = \(bind: value)")
            } else {
                equalSoFar.append("\(unsafeRaw: column) IS NULL")
            }
        }
        return " AND ((" + alternatives.joined(separator: ") OR (") + "))"
    }

    /// Whether the query's cursor is answered by one row-value comparison: every key in one
    /// direction, no NULL in the cursor, and nullable keys only descending (their NULLs all come
    /// before the cursor, so the condition excludes them and the order needs no NULL term).
    private func seeksPastNulls(_ query: ListQuery) -> Bool {
        guard let after = query.after else { return false }
        let descending = query.sort.last?.descending == true
        for (key, value) in zip(query.sort, after.values) {
            guard let column = columns[key.field] else { continue }
            if key.descending != descending || value == .null || (column.nullable && !key.descending) { return false }
        }
        return true
    }

    /// `, key AS sort_0, ...`: each row's sort values, from which the cursor of a page's last row is made.
    func sortValueColumns(for query: ListQuery) -> String {
        query.sort.enumerated().compactMap { index, key in
            columns[key.field].map { ", \($0.expression) AS sort_\(index)" }
        }.joined()
    }

    /// The cursor of a row read with ``sortValueColumns(for:)``; timestamps are numbers, all else text.
    func cursor(_ row: any SQLRow, id: String, query: ListQuery, schema: ListSchema) throws -> String {
        var values: [ListCursor.Value] = []
        for (index, key) in query.sort.enumerated() {
            let column = "sort_\(index)"
            if schema.fields[key.field]?.type == .timestamp {
                values.append(try row.decode(column: column, as: Millis?.self).map(ListCursor.Value.millis) ?? .null)
            } else {
                values.append(try row.decode(column: column, as: String?.self).map(ListCursor.Value.text) ?? .null)
            }
        }
        return ListCursor(values: values, id: id).encoded(for: query)
    }

    private func condition(_ filter: ListFilter, column: ListColumn) -> SQLQueryString {
        let binds: [any Encodable & Sendable] = filter.values.map(\.bindable)
        if let relation = column.relation {
            switch filter.op {
            case .eq, .in: return "EXISTS (" + relation(SQLQueryString("\(binds: binds)")) + ")"
            default: return "NOT EXISTS (" + relation(SQLQueryString("\(binds: binds)")) + ")"
            }
        }
        if let predicate = column.predicate {
            let any = "(" + filter.values.map(predicate).joined(separator: " OR ") + ")"
            switch filter.op {
            case .eq, .in: return any
            default: return "NOT " + any
            }
        }
        let expression = column.expression
        let value = binds[0]
        switch filter.op {
        case .eq: return "\(unsafeRaw: expression) = \(bind: value)"
        case .ne:
            return column.nullable
                ? "(\(unsafeRaw: expression) IS NULL OR \(unsafeRaw: expression) <> \(bind: value))"
                : "\(unsafeRaw: expression) <> \(bind: value)"
        case .gt: return "\(unsafeRaw: expression) > \(bind: value)"
        case .gte: return "\(unsafeRaw: expression) >= \(bind: value)"
        case .lt: return "\(unsafeRaw: expression) < \(bind: value)"
        case .lte: return "\(unsafeRaw: expression) <= \(bind: value)"
        case .ilike: return "lower(\(unsafeRaw: expression)) LIKE lower(\(bind: value))"
        case .in: return "\(unsafeRaw: expression) IN (\(binds: binds))"
        case .nin:
            return column.nullable
                ? "(\(unsafeRaw: expression) IS NULL OR \(unsafeRaw: expression) NOT IN (\(binds: binds)))"
                : "\(unsafeRaw: expression) NOT IN (\(binds: binds))"
        }
    }

    /// `text` with LIKE's wildcards and the escape character escaped (for `ESCAPE '\\'`).
    static func escapeLike(_ text: String) -> String {
        var out = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
