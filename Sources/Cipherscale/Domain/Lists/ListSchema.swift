import Foundation

/// The fields and defaults of one listable resource.
public struct ListSchema: Sendable {
    public var fields: [String: ListField]
    public var defaultSort: [SortKey]

    init(_ fields: [ListField], defaultSort: [SortKey]) {
        self.fields = Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0) })
        self.defaultSort = defaultSort
    }

    /// The user list: sort and filter fields as documented.
    public static let users = ListSchema(
        [
            ListField(name: "id", type: .uuid, sortable: false, filterable: true),
            ListField(name: "email", type: .caseInsensitiveText, sortable: true, filterable: true),
            ListField(name: "firstName", type: .text, sortable: true, filterable: true),
            ListField(name: "lastName", type: .text, sortable: true, filterable: true),
            ListField(name: "status", type: .enumeration(UserStatus.allCases.map(\.rawValue)), sortable: true, filterable: true),
            ListField(name: "isOwner", type: .boolean, sortable: false, filterable: true),
            ListField(name: "createdAt", type: .timestamp, sortable: true, filterable: true),
            ListField(name: "updatedAt", type: .timestamp, sortable: true, filterable: true),
            ListField(name: "lastConnection", type: .timestamp, sortable: true, filterable: true),
            ListField(name: "groups.id", type: .relation, sortable: false, filterable: true),
            ListField(name: "roles.id", type: .relation, sortable: false, filterable: true),
        ],
        defaultSort: [SortKey(field: "createdAt", descending: false)]
    )

    /// The device list.
    public static let devices = ListSchema(
        [
            ListField(name: "id", type: .uuid, sortable: false, filterable: true),
            ListField(name: "name", type: .text, sortable: true, filterable: true),
            ListField(name: "status", type: .enumeration(DeviceStatus.allCases.map(\.rawValue)), sortable: true, filterable: true),
            ListField(name: "active", type: .boolean, sortable: false, filterable: true),
            ListField(name: "hardwareId", type: .text, sortable: false, filterable: true),
            ListField(name: "appVersion", type: .text, sortable: false, filterable: true),
            ListField(name: "user.id", type: .uuid, sortable: false, filterable: true),
            ListField(name: "createdAt", type: .timestamp, sortable: true, filterable: true),
            ListField(name: "updatedAt", type: .timestamp, sortable: true, filterable: false),
            ListField(name: "lastConnection", type: .timestamp, sortable: true, filterable: true),
        ],
        defaultSort: [SortKey(field: "createdAt", descending: false)]
    )

    /// The audit log: filtered by the service from its own parameters, newest first.
    public static let audit = ListSchema(
        [
            ListField(name: "id", type: .uuid, sortable: true, filterable: false),
            ListField(name: "target", type: .uuid, sortable: false, filterable: true),
            ListField(name: "actorId", type: .uuid, sortable: false, filterable: true),
            ListField(name: "action", type: .text, sortable: false, filterable: true),
            ListField(name: "occurredAt", type: .timestamp, sortable: false, filterable: true),
        ],
        defaultSort: [SortKey(field: "id", descending: true)]
    )

    /// The group list.
    public static let groups = ListSchema(
        [
            ListField(name: "id", type: .uuid, sortable: false, filterable: true),
            ListField(name: "name", type: .text, sortable: true, filterable: true),
            ListField(name: "createdAt", type: .timestamp, sortable: true, filterable: true),
            ListField(name: "updatedAt", type: .timestamp, sortable: true, filterable: true),
        ],
        defaultSort: [SortKey(field: "createdAt", descending: false)]
    )
}
