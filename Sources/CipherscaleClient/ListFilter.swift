/// One filter of a list, `filter[field][op]=value` on the wire, written `field:op:value` by people
/// (`status:eq:active`, `createdAt:gte:2023-01-15T10:30:00.123Z`: the value keeps its colons).
public struct ListFilter: Hashable, Sendable {
    /// The operators every list understands.
    public static let operators = ["eq", "ne", "gt", "gte", "lt", "lte", "ilike", "in", "nin"]

    /// The field, such as `status` or `groups.id`.
    public var field: String
    /// One of ``operators``.
    public var op: String
    /// The value as sent; a comma-separated list for `in` and `nin`.
    public var value: String

    /// A filter of `field` by `op` and `value`.
    public init(field: String, op: String, value: String) {
        self.field = field
        self.op = op
        self.value = value
    }

    /// Reads `field:op:value`; throws ``SyntaxError`` for anything else or an unknown operator.
    public init(parsing text: String) throws(SyntaxError) {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, !parts[0].isEmpty else {
            throw SyntaxError(text: text, reason: "expected field:op:value, such as status:eq:active")
        }
        guard Self.operators.contains(parts[1]) else {
            throw SyntaxError(text: text, reason: "unknown operator '\(parts[1])' (one of \(Self.operators.joined(separator: ", ")))")
        }
        self.init(field: parts[0], op: parts[1], value: parts[2])
    }

    /// The query parameter: `filter[status][eq]` and `active`, not yet percent-encoded.
    public var queryItem: (name: String, value: String) {
        ("filter[\(field)][\(op)]", value)
    }

    /// A filter that could not be read.
    public struct SyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The text as given.
        public var text: String
        /// What is wrong with it.
        public var reason: String

        public var description: String { "bad filter '\(text)': \(reason)" }
    }
}
