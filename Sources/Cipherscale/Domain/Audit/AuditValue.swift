import Foundation

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
