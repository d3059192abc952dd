import CipherscaleAPI

/// A page of a list in the envelope every list answers with (`data`, `total`, `nextCursor`, …).
public protocol ListPage: Sendable {
    associatedtype Item: Sendable
    /// The page's items.
    var items: [Item] { get }
    /// Every item matching the filters and search.
    var totalCount: Int { get }
    /// The cursor of the next page; nil on the last.
    var nextCursor: String? { get }
}

extension Components.Schemas.UserPage: ListPage {
    public var items: [UserResource] { data }
    public var totalCount: Int { total }
}

extension Components.Schemas.GroupPage: ListPage {
    public var items: [Components.Schemas.Group] { data }
    public var totalCount: Int { total }
}

extension Components.Schemas.DevicePage: ListPage {
    public var items: [Components.Schemas.Device] { data }
    public var totalCount: Int { total }
}

extension Components.Schemas.AuditEventPage: ListPage {
    public var items: [Components.Schemas.AuditEvent] { data }
    public var totalCount: Int { total }
}
