import SQLKit

/// The one paging pipeline of every list (users, groups, devices, the audit log): the exact total,
/// one page read in the list's order (with offset or after a cursor), one row more to tell whether a
/// next page exists, and the cursor of the page's last row.
struct ListPager {
    /// At most this many matches are read through the filters' indexes and sorted, on SQLite.
    static let fewMatches = 2_000

    /// How the list maps to SQL.
    let list: ListSQL
    /// The list's fields, for reading cursors' values back.
    let schema: ListSchema
    /// Which engine the SQL is for.
    let kind: DatabaseKind

    /// One page of `query`.
    ///
    /// - `columns`: the selected columns; `from`: the tables (`users u`); `scope`: the tenant condition.
    /// - `countFrom`: the tables the total is counted over, when fewer than `from` (a joined owner).
    /// - `total`: the total when the caller keeps a counter for this query; otherwise counted, unless
    ///   `countTotal` is false (the page's total is then -1: a reader paging by cursor only).
    /// - `fewMatches`: on SQLite, a filtered list with at most this many matches reads them through
    ///   the filters' indexes and sorts them (0: always walk the sort index).
    /// - `searchAsFilter`, `relationsAsSets`: see ``ListSQL/conditions(for:kind:searchAsFilter:relationsAsSets:)``.
    /// - `idsFirst`: read the page's ids from the sort index alone, then only those rows (for wide rows
    ///   and deep offsets: no table rows are read for the rows an offset skips).
    func page<Row: Sendable>(
        _ db: any SQLDatabase, query: ListQuery, columns: String, from: String, countFrom: String? = nil, scope: SQLQueryString,
        total knownTotal: Int? = nil, countTotal: Bool = true, searchAsFilter: Bool = false, relationsAsSets: Bool = false,
        fewMatches: Int = ListPager.fewMatches, idsFirst: Bool = false,
        decode: (any SQLRow) throws -> Row, id: (Row) -> String
    ) async throws -> Page<Row> {
        let conditions = list.conditions(for: query, kind: kind, relationsAsSets: relationsAsSets)
        let total: Int
        if let knownTotal {
            total = knownTotal
        } else if !countTotal {
            total = -1
        } else {
            total =
                try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: countFrom ?? from) WHERE " + scope + conditions)
                .first()?.decode(column: "n", as: Int.self) ?? 0
        }
        guard query.limit > 0 else { return Page(items: [], total: total, query: query, nextCursor: nil) }
        var pageConditions =
            searchAsFilter ? list.conditions(for: query, kind: kind, searchAsFilter: true, relationsAsSets: relationsAsSets) : conditions
        if kind == .sqlite, total >= 0, total <= fewMatches, !query.filters.isEmpty, !searchAsFilter, !relationsAsSets {
            // Few matches (no device online among 300,000): find them through the filters' own
            // indexes and sort them, instead of walking the sort index past every other row.
            // PostgreSQL's planner makes this choice itself from its statistics.
            pageConditions =
                " AND \(unsafeRaw: list.idColumn) IN (SELECT \(unsafeRaw: list.idColumn) FROM \(unsafeRaw: countFrom ?? from) WHERE " + scope
                + conditions + ")"
        }
        let order = list.orderBy(for: query, kind: kind)
        let select = "SELECT \(columns)\(list.sortValueColumns(for: query)) FROM \(from)"
        let window: SQLQueryString = list.keyset(for: query, kind: kind) + order + " LIMIT \(bind: query.limit + 1) OFFSET \(bind: query.offset)"
        let sql: SQLQueryString =
            idsFirst
            ? "\(unsafeRaw: select) WHERE \(unsafeRaw: list.idColumn) IN (SELECT \(unsafeRaw: list.idColumn) FROM \(unsafeRaw: from) WHERE "
                + scope + pageConditions + window + ")" + order
            : "\(unsafeRaw: select) WHERE " + scope + pageConditions + window
        let read = try await db.raw(sql).all()
        let rows = try read.prefix(query.limit).map(decode)
        var nextCursor: String?
        if read.count > query.limit, let last = rows.last {
            nextCursor = try list.cursor(read[query.limit - 1], id: id(last), query: query, schema: schema)
        }
        return Page(items: rows, total: total, query: query, nextCursor: nextCursor)
    }
}
