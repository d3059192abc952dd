/// Applies PATCH operations to a resource's JSON, as RFC 7644 3.5.2 describes: the result is then
/// stored like a full replacement, so every rule of a PUT holds for a PATCH too.
struct ScimPatch {
    /// The schema URN of the resource; attributes of other schemas (extensions not served here) are ignored.
    let schema: String
    /// Attributes the client may not change (`id`, `meta`, a user's `groups`): `mutability` errors.
    let readOnly: Set<String>

    func apply(_ operations: [ScimPatchOperation], to document: JSONValue) throws(ScimError) -> JSONValue {
        var document = document
        for operation in operations {
            guard let path = operation.path else {
                // No path: each member of the value is an attribute (or a sub-attribute path) to add or replace.
                for member in operation.value?.members ?? [] {
                    guard let attribute = ScimAttributePath.parse(member.key) else {
                        if member.key.lowercased().hasPrefix("urn:") { continue }
                        throw .invalidPath("'\(member.key)' is not an attribute name.")
                    }
                    try apply(operation.kind, ScimPatchPath(attribute: attribute), member.value, to: &document)
                }
                continue
            }
            try apply(operation.kind, path, operation.value, to: &document)
        }
        return document
    }

    private func apply(_ kind: ScimPatchOperation.Kind, _ path: ScimPatchPath, _ value: JSONValue?, to document: inout JSONValue) throws(ScimError) {
        let attribute = path.attribute
        if let schema = attribute.schema, schema != self.schema.lowercased() { return }
        guard !readOnly.contains(attribute.attribute) else { throw .mutability("\(attribute.attribute) cannot be changed.") }
        let name = attribute.attribute
        var current = document[name]
        if let filter = path.valueFilter {
            try applyFiltered(kind, filter: filter, sub: path.subAttribute, value: value, to: &current, path: path)
        } else if let sub = attribute.subAttribute {
            if let items = current?.items {
                current = .array(items.map { item in Self.setting(sub, kind == .remove ? nil : value, in: item) })
            } else {
                current = Self.setting(sub, kind == .remove ? nil : value, in: current ?? [:])
                if current?.members?.isEmpty == true { current = nil }
            }
        } else {
            switch kind {
            case .add:
                if let items = current?.items {
                    var merged = items
                    for item in value?.items ?? [value ?? .null] where !merged.contains(item) { merged.append(item) }
                    current = .array(merged)
                } else {
                    current = Self.merging(value, into: current)
                }
            case .replace:
                current = current?.items != nil ? value : Self.merging(value, into: current)
            case .remove:
                if let value, !value.isNull, let items = current?.items {
                    // Remove the listed values (Entra ID removes members this way).
                    let removed = (value.items ?? [value]).compactMap { $0["value"] }
                    current = .array(items.filter { item in !removed.contains { $0 == item["value"] } })
                } else {
                    current = nil
                }
            }
        }
        if let items = current?.items, items.isEmpty { current = nil }
        document.set(name, current.flatMap { $0.isNull ? nil : $0 })
    }

    private func applyFiltered(
        _ kind: ScimPatchOperation.Kind, filter: ScimFilter, sub: String?, value: JSONValue?, to current: inout JSONValue?, path: ScimPatchPath
    ) throws(ScimError) {
        var items = current?.items ?? []
        let matches = items.indices.filter { ScimFilterEvaluator.matches(filter, items[$0]) }
        if matches.isEmpty {
            switch kind {
            case .remove: return
            case .replace: throw .noTarget("No value of \(path.attribute.attribute) matches the filter.")
            case .add:
                // A new value made of the filter's equalities and the given value (`emails[type eq "work"].value`).
                var item = ScimFilterEvaluator.equalities(filter)
                if let sub { item = Self.setting(sub, value, in: item) } else { item = Self.merging(value, into: item) ?? item }
                items.append(item)
            }
        } else {
            for index in matches.reversed() {
                switch (kind, sub) {
                case (.remove, nil): items.remove(at: index)
                case (.remove, let sub?): items[index] = Self.setting(sub, nil, in: items[index])
                case (_, let sub?): items[index] = Self.setting(sub, value, in: items[index])
                case (_, nil): items[index] = Self.merging(value, into: items[index]) ?? items[index]
                }
            }
        }
        current = .array(items)
    }

    /// `object` with its member `name` set to `value` (removed when nil or null).
    private static func setting(_ name: String, _ value: JSONValue?, in object: JSONValue) -> JSONValue {
        var copy = object.members == nil ? [:] : object
        copy.set(name, value.flatMap { $0.isNull ? nil : $0 })
        return copy
    }

    /// An object value merged member by member into an existing object; any other value replaces.
    private static func merging(_ value: JSONValue?, into existing: JSONValue?) -> JSONValue? {
        guard let members = value?.members, var merged = existing, merged.members != nil else { return value }
        for member in members { merged.set(member.key, member.value.isNull ? nil : member.value) }
        return merged
    }
}
