import Foundation

/// Evaluates a value filter (`type eq "work"`, `value eq "…"`) against one value of a multi-valued
/// attribute, for PATCH paths. Text compares without case, as for the attributes it applies to.
enum ScimFilterEvaluator {
    static func matches(_ filter: ScimFilter, _ item: JSONValue) -> Bool {
        switch filter {
        case .and(let left, let right): return matches(left, item) && matches(right, item)
        case .or(let left, let right): return matches(left, item) || matches(right, item)
        case .not(let inner): return !matches(inner, item)
        case .valuePath: return false
        case .present(let path):
            guard let value = value(path, in: item) else { return false }
            return !(value.isNull || value.text == "" || value.items?.isEmpty == true)
        case .compare(let path, let op, let expected):
            return compare(value(path, in: item), op, expected)
        }
    }

    /// The object the filter's `eq` conditions describe (`{"type": "work"}` for `type eq "work"`).
    static func equalities(_ filter: ScimFilter) -> JSONValue {
        var object: JSONValue = [:]
        func collect(_ filter: ScimFilter) {
            switch filter {
            case .and(let left, let right):
                collect(left)
                collect(right)
            case .compare(let path, .eq, let value) where path.subAttribute == nil:
                switch value {
                case .string(let text): object.set(path.attribute, .string(text))
                case .bool(let flag): object.set(path.attribute, .bool(flag))
                case .number(let number): object.set(path.attribute, .number(number))
                case .null: break
                }
            default: break
            }
        }
        collect(filter)
        return object
    }

    private static func value(_ path: ScimAttributePath, in item: JSONValue) -> JSONValue? {
        guard let value = item[path.attribute] else { return nil }
        guard let sub = path.subAttribute else { return value }
        return value[sub]
    }

    private static func compare(_ actual: JSONValue?, _ op: ScimComparison, _ expected: ScimFilterValue) -> Bool {
        guard let actual, !actual.isNull else { return (op == .eq && expected == .null) || (op == .ne && expected != .null) }
        switch expected {
        case .null: return op == .ne
        case .bool(let flag):
            guard let value = ScimResource.boolean(actual) else { return op == .ne }
            return op == .eq ? value == flag : op == .ne ? value != flag : false
        case .number(let number):
            guard case .number(let value) = actual else { return op == .ne }
            switch op {
            case .eq: return value == number
            case .ne: return value != number
            case .gt: return value > number
            case .ge: return value >= number
            case .lt: return value < number
            case .le: return value <= number
            default: return false
            }
        case .string(let text):
            let value: String
            switch actual {
            case .string(let string): value = string.lowercased()
            case .bool(let flag): value = flag ? "true" : "false"
            default: return op == .ne
            }
            let wanted = text.lowercased()
            switch op {
            case .eq: return value == wanted
            case .ne: return value != wanted
            case .co: return value.contains(wanted)
            case .sw: return value.hasPrefix(wanted)
            case .ew: return value.hasSuffix(wanted)
            case .gt: return value > wanted
            case .ge: return value >= wanted
            case .lt: return value < wanted
            case .le: return value <= wanted
            }
        }
    }
}
