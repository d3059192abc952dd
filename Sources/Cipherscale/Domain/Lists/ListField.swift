import Foundation

/// A field a list can be sorted or filtered on.
public struct ListField: Sendable {
    public var name: String
    public var type: ListFieldType
    public var sortable: Bool
    public var filterable: Bool
}
