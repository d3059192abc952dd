/// What to ask a list for besides paging: search, filters and sort, the same for every page of a walk.
public struct ListOptions: Hashable, Sendable {
    /// Case-insensitive substring to search for.
    public var search: String?
    /// Filters, combined with AND.
    public var filters: [ListFilter]
    /// Sort items (`email`, `-createdAt`, `email:desc`).
    public var sort: [String]
    /// Page size (the server clamps it to 100).
    public var limit: Int?

    /// Options with these parts; all empty by default.
    public init(search: String? = nil, filters: [ListFilter] = [], sort: [String] = [], limit: Int? = nil) {
        self.search = search
        self.filters = filters
        self.sort = sort
        self.limit = limit
    }
}
