/// A typed identifier: the canonical (lower-case) UUID of one kind of thing.
///
/// Made from client text once, at the edge (`init?(_:)` refuses anything that is not a UUID), so
/// services and repositories never see an unchecked id and cannot pass a group's id as a user's.
public struct Identifier<Kind>: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The canonical UUID text, as stored.
    public let rawValue: String

    /// The id in `text` (any case), or nil when `text` is not a UUID.
    public init?(_ text: String) {
        guard let canonical = Identifiers.canonical(text) else { return nil }
        rawValue = canonical
    }

    /// An id read back from storage or made by ``make()``: already canonical.
    init(trusted rawValue: String) {
        self.rawValue = rawValue
    }

    /// A new time-ordered id.
    public static func make() -> Self {
        Self(trusted: Identifiers.make())
    }

    /// The UUID text.
    public var description: String { rawValue }

    /// Orders as the UUID texts do.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A tenant's id.
public typealias TenantID = Identifier<IdentifierKind.Tenant>
/// A user's id.
public typealias UserID = Identifier<IdentifierKind.User>
/// A group's id.
public typealias GroupID = Identifier<IdentifierKind.Group>
/// A role's id.
public typealias RoleID = Identifier<IdentifierKind.Role>
/// A device's id.
public typealias DeviceID = Identifier<IdentifierKind.Device>
/// An invitation's id.
public typealias InvitationID = Identifier<IdentifierKind.Invitation>
/// An API key's id.
public typealias APIKeyID = Identifier<IdentifierKind.APIKey>
