import Foundation

/// Who made a change.
public enum AuditActor: Sendable, Equatable {
    /// A request carrying this API key (its id, never its secret).
    case apiKey(String)
    /// Someone holding the link of this invitation.
    case invitation(String)
    /// The operator, through the command line.
    case system

    public var type: String {
        switch self {
        case .apiKey: "apiKey"
        case .invitation: "invitation"
        case .system: "system"
        }
    }

    public var id: String? {
        switch self {
        case .apiKey(let id), .invitation(let id): id
        case .system: nil
        }
    }
}

/// A value before or after a change, as the audit log shows it.
public enum AuditValue: Sendable, Equatable, Encodable {
    case null
    case string(String)
    case int(Int)
    case bool(Bool)
    case strings([String])

    public init(_ text: String?) { self = text.map(AuditValue.string) ?? .null }
    public init(_ number: Int?) { self = number.map(AuditValue.int) ?? .null }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .strings(let value): try container.encode(value)
        }
    }
}

/// One field's value before and after a change.
public struct AuditChange: Sendable, Equatable, Encodable {
    public var before: AuditValue
    public var after: AuditValue

    public init(_ before: AuditValue, _ after: AuditValue) {
        self.before = before
        self.after = after
    }
}

/// What the store records about one change, in the transaction of the change.
public struct AuditEntry: Sendable {
    /// `user.create`, `group.update`, `device.delete`, ...
    public var action: String
    public var targetType: String
    public var targetId: String
    /// A second thing the change concerns (the group a user joined, the role taken away).
    public var relatedType: String?
    public var relatedId: String?
    /// Only the fields that changed.
    public var changes: [String: AuditChange]
    /// Overrides the request's actor (an invitation acceptance).
    public var actor: AuditActor?

    public init(
        _ action: String, target: (type: String, id: String), related: (type: String, id: String)? = nil,
        changes: [String: AuditChange] = [:], actor: AuditActor? = nil
    ) {
        self.action = action
        self.targetType = target.type
        self.targetId = target.id
        self.relatedType = related?.type
        self.relatedId = related?.id
        self.changes = changes
        self.actor = actor
    }

    /// Adds `field` to the changes when the value differs.
    public mutating func record(_ field: String, _ before: AuditValue, _ after: AuditValue) {
        if before != after { changes[field] = AuditChange(before, after) }
    }
}

/// A recorded change, as read back.
public struct AuditEvent: Sendable, Equatable {
    public var id: String
    public var occurredAt: Millis
    public var actorType: String
    public var actorId: String?
    public var action: String
    public var targetType: String
    public var targetId: String
    public var relatedType: String?
    public var relatedId: String?
    /// The changes as a JSON object text: `{"field": {"before": ..., "after": ...}}`.
    public var changes: String
    public var requestId: String?
}

/// Which events to read: newest first, after a cursor.
public struct AuditQuery: Sendable, Equatable {
    /// Matches the event's target or related id.
    public var targetId: String?
    public var actorId: String?
    public var action: String?
    /// Inclusive lower and exclusive upper bound of `occurredAt`.
    public var since: Millis?
    public var until: Millis?
    public var limit: Int
    /// Events older than this event id (the previous page's `nextCursor`).
    public var after: String?

    public static let defaultLimit = 50
    public static let maxLimit = 200

    public init(targetId: String? = nil, actorId: String? = nil, action: String? = nil, since: Millis? = nil, until: Millis? = nil,
        limit: Int = AuditQuery.defaultLimit, after: String? = nil)
    {
        self.targetId = targetId
        self.actorId = actorId
        self.action = action
        self.since = since
        self.until = until
        self.limit = limit
        self.after = after
    }
}
