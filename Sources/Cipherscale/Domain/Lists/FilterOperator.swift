import Foundation

/// A comparison in `filter[field][op]=value`.
public enum FilterOperator: String, Sendable, CaseIterable {
    case eq, ne, gt, gte, lt, lte, ilike, `in`, nin
}
