import Foundation
import NIOCore

/// A JSON document as SCIM handles it: resources are read, patched and projected as values, since
/// attribute names are case-insensitive and PATCH paths address any part of them. Objects keep their
/// members in order, so answers read `schemas`, `id`, ... as written.
enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let left), .bool(let right)): return left == right
        case (.number(let left), .number(let right)): return left == right
        case (.string(let left), .string(let right)): return left == right
        case (.array(let left), .array(let right)): return left == right
        case (.object(let left), .object(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else {
            let members = try container.decode([String: JSONValue].self)
            self = .object(members.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })
        }
    }

    /// Parses a request body; anything but JSON is `invalidSyntax`.
    static func parse(_ buffer: ByteBuffer) throws(ScimError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw .invalidSyntax("The request body is not valid JSON.")
        }
    }

    // MARK: Reading

    /// The member named `name`, compared without case (SCIM attribute names are case-insensitive).
    subscript(name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        let lowered = name.lowercased()
        return members.first { $0.key.lowercased() == lowered }?.value
    }

    var members: [(key: String, value: JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    var items: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var text: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var isNull: Bool { self == .null }

    // MARK: Changing

    /// Sets (or with nil removes) the member `name`, matched without case; a new member goes last.
    mutating func set(_ name: String, _ value: JSONValue?) {
        var members = self.members ?? []
        let lowered = name.lowercased()
        if let index = members.firstIndex(where: { $0.key.lowercased() == lowered }) {
            if let value { members[index].value = value } else { members.remove(at: index) }
        } else if let value {
            members.append((key: name, value: value))
        }
        self = .object(members)
    }

    // MARK: Writing

    /// The document as compact JSON bytes.
    var bytes: ByteBuffer {
        var writer = JSONWriter(capacity: 512)
        write(to: &writer)
        return writer.buffer
    }

    func write(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .bool(let flag): writer.value(flag)
        case .number(let number): writer.value(number)
        case .string(let text): writer.value(text)
        case .array(let items):
            writer.beginArray()
            for item in items { item.write(to: &writer) }
            writer.endArray()
        case .object(let members):
            writer.beginObject()
            for member in members {
                writer.key(member.key)
                member.value.write(to: &writer)
            }
            writer.endObject()
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    init(stringLiteral value: String) { self = .string(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements.map { (key: $0.0, value: $0.1) }) }
}
