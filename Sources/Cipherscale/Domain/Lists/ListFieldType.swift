import Foundation

/// What kind of values a listed field holds; decides which operators and values are accepted.
public enum ListFieldType: Sendable, Equatable {
    case uuid
    case text
    /// Text compared without regard to case (emails).
    case caseInsensitiveText
    case timestamp
    case boolean
    case enumeration([String])
    /// A related resource's id (`groups.id`): eq, ne, in and nin only.
    case relation
}
