import Foundation

/// One key of a sort order.
public struct SortKey: Sendable, Equatable {
    public var field: String
    public var descending: Bool
}
