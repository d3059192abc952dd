import Foundation

/// A parsed list request: paging, order, filters and search.
public struct ListQuery: Sendable, Equatable {
    /// Page size used (after clamping to ``maxLimit``).
    public var limit: Int
    public var offset: Int
    public var sort: [SortKey]
    public var filters: [ListFilter]
    /// Lower-cased search text, or nil.
    public var search: String?
    /// Keyset paging: the page starts after this position (`after=`), instead of at an offset.
    public var after: ListCursor?

    public static let defaultLimit = 10
    public static let maxLimit = 100
    /// The longest query string and search text, and the most filters, one list request may carry.
    public static let maxQueryBytes = 8 * 1024
    public static let maxSearchLength = 256
    public static let maxFilters = 20
    /// The deepest offset: skipping rows costs time in proportion, so it is bounded (about a second
    /// at the bound on SQLite with a million users). Deeper walks use `after` (keyset paging).
    public static let maxOffset = 1_000_000

    /// Parses the raw query string of a list request against `schema`.
    ///
    /// Accepts `limit`/`offset` and their `page[limit]`/`page[offset]` aliases, `after`, `sort`
    /// (repeatable and comma-separated), `search`, and `filter[field][op]=value`. Any other parameter
    /// is refused by name, so a typo such as `sortt` is not silently ignored.
    public static func parse(_ rawQuery: String?, schema: ListSchema) throws(DirectoryError) -> ListQuery {
        var query = ListQuery(limit: defaultLimit, offset: 0, sort: [], filters: [], search: nil, after: nil)
        var after: String?
        var errors: [FieldError] = []
        // Bounds that keep one request's parsing and SQL small, whatever a client sends.
        if (rawQuery?.utf8.count ?? 0) > maxQueryBytes {
            throw .invalid("The query string is longer than \(maxQueryBytes) bytes.", [FieldError(.query(""), "is too long")])
        }
        for (key, value) in QueryString.pairs(rawQuery) {
            if value.contains("\u{0}") || key.contains("\u{0}") {
                // Nothing in the directory holds NUL, and PostgreSQL text cannot: refuse it plainly.
                errors.append(FieldError(.query(key), "must not contain NUL characters"))
                continue
            }
            switch key {
            case "limit", "page[limit]":
                if let number = Int(value), number >= 0 {
                    query.limit = min(number, maxLimit)
                } else {
                    errors.append(FieldError(.query(key), "must be a non-negative integer"))
                }
            case "offset", "page[offset]":
                if let number = Int(value), number >= 0 {
                    if number > maxOffset {
                        errors.append(
                            FieldError(
                                .query(key),
                                "must be at most \(maxOffset); to go further, page with after= and the previous page's nextCursor"
                            ))
                    }
                    query.offset = number
                } else {
                    errors.append(FieldError(.query(key), "must be a non-negative integer"))
                }
            case "after", "page[after]":
                after = value
            case "sort", "sort[]":
                for item in value.split(separator: ",", omittingEmptySubsequences: true) {
                    // Only spaces are trimmed (a `+` in a query string is a space): exactly what the
                    // contract's `sort` pattern admits.
                    var text = item
                    while text.first == " " { text.removeFirst() }
                    while text.last == " " { text.removeLast() }
                    switch parseSortKey(String(text), schema: schema) {
                    // A field named again adds nothing to the order (its first occurrence decides),
                    // so it is dropped: a sort holds at most one key per sortable field.
                    case .success(let key) where query.sort.contains(where: { $0.field == key.field }): continue
                    case .success(let key): query.sort.append(key)
                    case .failure(let error): errors.append(error)
                    }
                }
            case "search":
                // Counted as the contract's `maxLength` counts (code points, before trimming).
                if value.unicodeScalars.count > maxSearchLength {
                    errors.append(FieldError(.query("search"), "must be at most \(maxSearchLength) characters"))
                }
                let text = value.trimmingCharacters(in: .whitespaces)
                query.search = text.isEmpty ? nil : text.lowercased()
            default:
                guard key.hasPrefix("filter[") else {
                    errors.append(FieldError(.query(key), "is not a parameter of this list; \(knownParameters)"))
                    continue
                }
                switch parseFilter(key: key, value: value, schema: schema) {
                case .success(let filter): query.filters.append(filter)
                case .failure(let error): errors.append(error)
                }
            }
        }
        if query.filters.count > maxFilters { errors.append(FieldError(.query("filter"), "at most \(maxFilters) filters are allowed")) }
        if query.sort.isEmpty { query.sort = schema.defaultSort }
        if let after, !after.isEmpty {
            if query.offset > 0 {
                errors.append(FieldError(.query("after"), "cannot be combined with an offset; page either with offset or with after"))
            } else if let cursor = ListCursor.decode(after, for: query, schema: schema) {
                query.after = cursor
            } else {
                errors.append(
                    FieldError(
                        .query("after"),
                        "is not a nextCursor of this list with the same sort, filters and search"
                    ))
            }
        }
        if !errors.isEmpty { throw .invalid("The list parameters are not valid.", errors) }
        return query
    }

    /// One sort item: `field`, `-field`, `+field`, `field:asc` or `field:desc`.
    private static func parseSortKey(_ text: String, schema: ListSchema) -> Result<SortKey, FieldError> {
        var name = text
        var descending = false
        if name.hasPrefix("-") {
            descending = true
            name.removeFirst()
        } else if name.hasPrefix("+") {
            name.removeFirst()
        }
        if let colon = name.firstIndex(of: ":") {
            let direction = name[name.index(after: colon)...].lowercased()
            name = String(name[..<colon])
            switch direction {
            case "asc": break
            case "desc": descending.toggle()
            default:
                return .failure(FieldError(.query("sort"), "'\(direction)' in '\(text)' is not a sort direction; use asc or desc"))
            }
        }
        guard let field = schema.fields[name], field.sortable else {
            let fields = schema.fields.filter { $0.value.sortable }.keys.sorted().joined(separator: ", ")
            return .failure(FieldError(.query("sort"), "cannot sort on '\(name)'; sortable fields: \(fields)"))
        }
        return .success(SortKey(field: name, descending: descending))
    }

    /// The parameters a list takes, for the error naming an unknown one.
    static let knownParameters = "known: limit, offset, after, sort, search, filter[field][op] (and page[limit], page[offset])"

    private static func parseFilter(key: String, value: String, schema: ListSchema) -> Result<ListFilter, FieldError> {
        // filter[field] or filter[field][op]
        var parts: [String] = []
        var rest = Substring(key.dropFirst("filter".count))
        while rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return .failure(FieldError(.query(key), "is not of the form filter[field][op]")) }
            parts.append(String(rest[rest.index(after: rest.startIndex)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        guard rest.isEmpty, (1...2).contains(parts.count) else {
            return .failure(FieldError(.query(key), "is not of the form filter[field][op]"))
        }
        let pointer = FieldLocation.query(key)
        guard let field = schema.fields[parts[0]], field.filterable else {
            let fields = schema.fields.filter { $0.value.filterable }.keys.sorted().joined(separator: ", ")
            return .failure(FieldError(pointer, "cannot filter on '\(parts[0])'; filterable fields: \(fields)"))
        }
        let op: FilterOperator
        if parts.count == 2 {
            guard let parsed = FilterOperator(rawValue: parts[1]) else {
                let operators = FilterOperator.allCases.map(\.rawValue).joined(separator: ", ")
                return .failure(FieldError(pointer, "unknown operator '\(parts[1])'; operators: \(operators)"))
            }
            op = parsed
        } else {
            op = .eq
        }
        switch (field.type, op) {
        case (.relation, .eq), (.relation, .ne), (.relation, .in), (.relation, .nin): break
        case (.relation, _): return .failure(FieldError(pointer, "'\(field.name)' accepts only eq, ne, in and nin"))
        case (.boolean, .eq), (.boolean, .ne): break
        case (.boolean, _): return .failure(FieldError(pointer, "'\(field.name)' accepts only eq and ne"))
        case (.enumeration, .eq), (.enumeration, .ne), (.enumeration, .in), (.enumeration, .nin): break
        case (.enumeration, _): return .failure(FieldError(pointer, "'\(field.name)' accepts only eq, ne, in and nin"))
        case (.uuid, .ilike), (.timestamp, .ilike):
            return .failure(FieldError(pointer, "ilike applies to text fields only"))
        default: break
        }
        let rawValues = op == .in || op == .nin ? value.split(separator: ",", omittingEmptySubsequences: false).map(String.init) : [value]
        var values: [FilterValue] = []
        for raw in rawValues {
            switch field.type {
            case .uuid, .relation:
                guard let id = Identifiers.canonical(raw) else { return .failure(FieldError(pointer, "'\(raw)' is not a UUID")) }
                values.append(.text(id))
            case .text:
                values.append(.text(raw))
            case .caseInsensitiveText:
                values.append(.text(raw.lowercased()))
            case .timestamp:
                guard let millis = Timestamps.parse(raw) else {
                    return .failure(FieldError(pointer, "'\(raw)' is not an ISO-8601 date-time"))
                }
                values.append(.millis(millis))
            case .boolean:
                guard raw == "true" || raw == "false" else { return .failure(FieldError(pointer, "'\(raw)' is not true or false")) }
                values.append(.bool(raw == "true"))
            case .enumeration(let allowed):
                // Case does not matter (`ACTIVE` is `active`); the stored spelling is compared.
                guard let value = allowed.first(where: { $0.caseInsensitiveCompare(raw) == .orderedSame }) else {
                    return .failure(FieldError(pointer, "'\(raw)' is not one of \(allowed.joined(separator: ", "))"))
                }
                values.append(.text(value))
            }
        }
        return .success(ListFilter(field: field.name, op: op, values: values))
    }
}
