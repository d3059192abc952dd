/// One page of a SCIM list: the total number of matches and the resources from the start index.
public struct ScimPage<Item: Sendable>: Sendable {
    /// How many resources match the filter in all.
    public var total: Int
    /// The resources of this page.
    public var items: [Item]

    /// A page.
    public init(total: Int, items: [Item]) {
        self.total = total
        self.items = items
    }
}
