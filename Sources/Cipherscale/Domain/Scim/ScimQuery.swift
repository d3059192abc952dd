/// A SCIM list request in domain terms: a filter, a sort attribute and an index-based page.
public struct ScimQuery: Sendable, Equatable {
    /// Which resources match; nil for all.
    public var filter: ScimFilter?
    /// The attribute to sort by; nil for creation order.
    public var sortBy: ScimAttributePath?
    /// `sortOrder=descending`.
    public var descending: Bool
    /// The 1-based index of the first result.
    public var startIndex: Int
    /// How many results at most (0 asks only for the total).
    public var count: Int

    /// A query; `startIndex` below 1 counts as 1 and `count` below 0 as 0 (RFC 7644 3.4.2.4).
    public init(filter: ScimFilter? = nil, sortBy: ScimAttributePath? = nil, descending: Bool = false, startIndex: Int = 1, count: Int) {
        self.filter = filter
        self.sortBy = sortBy
        self.descending = descending
        self.startIndex = max(1, startIndex)
        self.count = max(0, count)
    }
}
