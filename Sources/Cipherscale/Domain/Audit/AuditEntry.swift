import Foundation

/// What the store records about one change, in the transaction of the change.
public struct AuditEntry: Sendable {
    public var action: AuditAction
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
        _ action: AuditAction, target: (type: String, id: String), related: (type: String, id: String)? = nil,
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
