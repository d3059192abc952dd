import Foundation

/// A typed filter value.
public enum FilterValue: Sendable, Equatable {
    case text(String)
    case millis(Millis)
    case bool(Bool)
}
