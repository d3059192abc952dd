/// One page of a list, with the exact number of matches.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int
    public var offset: Int
    public var limit: Int
    /// The position after the last item, when more items follow.
    public var nextCursor: String? = nil
    /// Whether the page was read with `after` (its offset from the start is then unknown).
    public var keyset: Bool = false

    public init(items: [Item], total: Int, offset: Int, limit: Int) {
        self.items = items
        self.total = total
        self.offset = offset
        self.limit = limit
    }

    /// A page of a list read with `query`, and the cursor of what follows it.
    init(items: [Item], total: Int, query: ListQuery, nextCursor: String?) {
        self.init(items: items, total: total, offset: query.offset, limit: query.limit)
        self.nextCursor = nextCursor
        self.keyset = query.after != nil
    }

    /// Whether items follow this page.
    public var hasNext: Bool {
        keyset ? nextCursor != nil : limit > 0 && offset + items.count < total
    }
    /// Whether items precede this page.
    public var hasPrevious: Bool { keyset || offset > 0 }
    /// The 0-based page number, unknown with `after`.
    public var number: Int? {
        keyset ? nil : (limit > 0 ? offset / limit : 0)
    }

    /// The same page with its items transformed as a whole (rows hydrated into resources).
    func map<Other: Sendable>(_ transform: ([Item]) async throws -> [Other]) async rethrows -> Page<Other> {
        var page = Page<Other>(items: try await transform(items), total: total, offset: offset, limit: limit)
        page.nextCursor = nextCursor
        page.keyset = keyset
        return page
    }
}
