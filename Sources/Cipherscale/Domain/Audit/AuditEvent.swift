import Foundation

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
