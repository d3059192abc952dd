/// A parsed SCIM filter (RFC 7644 3.4.2.2). ``ScimFilterParser`` builds it; the storage layer turns
/// it into SQL conditions with every value bound.
public indirect enum ScimFilter: Sendable, Equatable {
    /// `attr op value`.
    case compare(ScimAttributePath, ScimComparison, ScimFilterValue)
    /// `attr pr`: the attribute has a value.
    case present(ScimAttributePath)
    case and(ScimFilter, ScimFilter)
    case or(ScimFilter, ScimFilter)
    case not(ScimFilter)
    /// `attr[filter]`: the filter's attributes are sub-attributes of `attr`.
    case valuePath(ScimAttributePath, ScimFilter)

    /// The same filter with every `attr[filter]` spelled as conditions on `attr.sub` (the resources
    /// here have at most one value per multi-valued attribute row, so the two agree).
    public var flattened: ScimFilter {
        switch self {
        case .compare, .present: return self
        case .and(let left, let right): return .and(left.flattened, right.flattened)
        case .or(let left, let right): return .or(left.flattened, right.flattened)
        case .not(let inner): return .not(inner.flattened)
        case .valuePath(let parent, let inner): return inner.flattened.within(parent)
        }
    }

    /// The filter with each attribute taken as a sub-attribute of `parent`.
    func within(_ parent: ScimAttributePath) -> ScimFilter {
        func nest(_ path: ScimAttributePath) -> ScimAttributePath {
            ScimAttributePath(schema: parent.schema, attribute: parent.attribute, subAttribute: path.attribute)
        }
        switch self {
        case .compare(let path, let op, let value): return .compare(nest(path), op, value)
        case .present(let path): return .present(nest(path))
        case .and(let left, let right): return .and(left.within(parent), right.within(parent))
        case .or(let left, let right): return .or(left.within(parent), right.within(parent))
        case .not(let inner): return .not(inner.within(parent))
        case .valuePath: return self
        }
    }
}

/// A comparison operator of a SCIM filter.
public enum ScimComparison: String, Sendable, Equatable, CaseIterable {
    case eq, ne, co, sw, ew, gt, ge, lt, le
}

/// A literal of a SCIM filter.
public enum ScimFilterValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    /// The literal as a boolean: `true`/`false`, or the strings "true"/"false" in any case, which
    /// some providers send (Entra ID's "True").
    public var boolean: Bool? {
        switch self {
        case .bool(let flag): return flag
        case .string(let text) where text.lowercased() == "true": return true
        case .string(let text) where text.lowercased() == "false": return false
        default: return nil
        }
    }
}
