import Foundation

/// `attributes` and `excludedAttributes` (RFC 7644 3.4.2.5): which attributes an answer holds.
/// `schemas` and `id` are always returned.
struct ScimProjection: Sendable {
    /// Only these attributes (nil: the default set).
    var attributes: [ScimAttributePath]?
    /// The default set without these.
    var excluded: [ScimAttributePath] = []

    static let always: Set<String> = ["schemas", "id"]

    /// Reads the comma-separated lists of a query or a search body.
    init(attributes: [String]?, excluded: [String]?) throws(ScimError) {
        func parse(_ names: [String]?) throws(ScimError) -> [ScimAttributePath]? {
            guard let names else { return nil }
            var paths: [ScimAttributePath] = []
            for name in names.flatMap({ $0.split(separator: ",") }) {
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                guard let path = ScimAttributePath.parse(trimmed) else { throw .invalidValue("'\(trimmed)' is not an attribute name.") }
                paths.append(path)
            }
            return paths
        }
        self.attributes = try parse(attributes).flatMap { $0.isEmpty ? nil : $0 }
        self.excluded = try parse(excluded) ?? []
    }

    /// Whether `attribute.sub` was asked for by name (for attributes returned only on request).
    func requests(_ attribute: String, _ sub: String) -> Bool {
        attributes?.contains { $0.attribute == attribute && $0.subAttribute == sub } ?? false
    }

    /// Whether the answer holds `attribute` at all (so costly ones need not be loaded).
    func includes(_ attribute: String) -> Bool {
        if let attributes { return attributes.contains { $0.attribute == attribute } }
        return !excluded.contains { $0.attribute == attribute && $0.subAttribute == nil }
    }

    func apply(_ resource: JSONValue) -> JSONValue {
        guard let members = resource.members else { return resource }
        var result: [(key: String, value: JSONValue)] = []
        for member in members {
            let key = member.key.lowercased()
            if Self.always.contains(key) {
                result.append(member)
                continue
            }
            if let attributes {
                let wanted = attributes.filter { $0.attribute == key }
                guard !wanted.isEmpty else { continue }
                let subs = wanted.compactMap(\.subAttribute)
                // The attribute as a whole, or only the named sub-attributes of it.
                result.append(wanted.contains { $0.subAttribute == nil } ? member : (member.key, Self.keep(subs, of: member.value)))
            } else {
                let dropped = excluded.filter { $0.attribute == key }
                if dropped.contains(where: { $0.subAttribute == nil }) { continue }
                let subs = dropped.compactMap(\.subAttribute)
                result.append(subs.isEmpty ? member : (member.key, Self.drop(subs, of: member.value)))
            }
        }
        return .object(result)
    }

    private static func keep(_ subs: [String], of value: JSONValue) -> JSONValue {
        if let items = value.items { return .array(items.map { keep(subs, of: $0) }) }
        guard let members = value.members else { return value }
        return .object(members.filter { subs.contains($0.key.lowercased()) })
    }

    private static func drop(_ subs: [String], of value: JSONValue) -> JSONValue {
        if let items = value.items { return .array(items.map { drop(subs, of: $0) }) }
        guard let members = value.members else { return value }
        return .object(members.filter { !subs.contains($0.key.lowercased()) })
    }
}
