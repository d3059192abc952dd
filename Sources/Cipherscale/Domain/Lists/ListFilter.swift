import Foundation

/// One `filter[field][op]=value` condition; `values` has one element except for `in` and `nin`.
public struct ListFilter: Sendable, Equatable {
    public var field: String
    public var op: FilterOperator
    public var values: [FilterValue]
}
