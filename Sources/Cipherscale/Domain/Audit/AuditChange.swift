import Foundation

/// One field's value before and after a change.
public struct AuditChange: Sendable, Equatable, Encodable {
    public var before: AuditValue
    public var after: AuditValue

    public init(_ before: AuditValue, _ after: AuditValue) {
        self.before = before
        self.after = after
    }
}
