import Foundation

/// Parses the filter grammar of RFC 7644 3.4.2.2: comparisons (`eq ne co sw ew gt ge lt le`),
/// presence (`pr`), `and`, `or`, `not (...)`, parentheses and value paths (`emails[type eq "work"]`).
/// Operators and attribute names are case-insensitive; `not` binds tighter than `and`, `and` than `or`.
/// A malformed filter is a ``ScimError`` with `scimType` `invalidFilter` saying where it went wrong.
public struct ScimFilterParser {
    /// The longest filter accepted, and the deepest nesting: bounds on the work one request can cause.
    public static let maxLength = 8192
    static let maxDepth = 32

    private var tokens: [ScimFilterToken]
    private var position = 0
    private var depth = 0

    /// Parses `text` as a whole filter.
    public static func parse(_ text: String) throws(ScimError) -> ScimFilter {
        guard text.utf8.count <= maxLength else { throw .invalidFilter("The filter is longer than \(maxLength) bytes.") }
        var parser = ScimFilterParser(tokens: try ScimFilterToken.scan(text))
        guard !parser.tokens.isEmpty else { throw .invalidFilter("The filter is empty.") }
        let filter = try parser.parseOr()
        if parser.position < parser.tokens.count {
            throw .invalidFilter("Unexpected \(parser.tokens[parser.position]) in the filter.")
        }
        return filter
    }

    /// Parses the filter inside a value path of a PATCH `path` (`members[value eq "…"]`).
    static func parseValueFilter(_ tokens: [ScimFilterToken]) throws(ScimError) -> ScimFilter {
        var parser = ScimFilterParser(tokens: tokens)
        let filter = try parser.parseOr()
        if parser.position < parser.tokens.count { throw .invalidFilter("Unexpected \(parser.tokens[parser.position]) in the filter.") }
        return filter
    }

    private init(tokens: [ScimFilterToken]) {
        self.tokens = tokens
    }

    private var next: ScimFilterToken? { position < tokens.count ? tokens[position] : nil }

    private mutating func keyword(_ word: String) -> Bool {
        if case .word(let text) = next, text.lowercased() == word {
            position += 1
            return true
        }
        return false
    }

    private mutating func expect(_ token: ScimFilterToken, _ what: String) throws(ScimError) {
        guard next == token else { throw .invalidFilter("Expected \(what) \(next.map { "before \($0)" } ?? "at the end of the filter").") }
        position += 1
    }

    private mutating func parseOr() throws(ScimError) -> ScimFilter {
        var left = try parseAnd()
        while keyword("or") { left = .or(left, try parseAnd()) }
        return left
    }

    private mutating func parseAnd() throws(ScimError) -> ScimFilter {
        var left = try parseUnary()
        while keyword("and") { left = .and(left, try parseUnary()) }
        return left
    }

    private mutating func parseUnary() throws(ScimError) -> ScimFilter {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw .invalidFilter("The filter nests deeper than \(Self.maxDepth) levels.") }
        if keyword("not") {
            try expect(.open, "'(' after 'not'")
            let inner = try parseOr()
            try expect(.close, "')'")
            return .not(inner)
        }
        if next == .open {
            position += 1
            let inner = try parseOr()
            try expect(.close, "')'")
            return inner
        }
        return try parseAttributeExpression()
    }

    private mutating func parseAttributeExpression() throws(ScimError) -> ScimFilter {
        guard case .word(let name) = next else {
            throw .invalidFilter("Expected an attribute name \(next.map { "instead of \($0)" } ?? "at the end of the filter").")
        }
        guard let path = ScimAttributePath.parse(name) else { throw .invalidFilter("'\(name)' is not an attribute name.") }
        position += 1
        if next == .openBracket {
            position += 1
            guard path.subAttribute == nil else { throw .invalidFilter("A value filter follows a multi-valued attribute, not '\(name)'.") }
            let inner = try parseOr()
            try expect(.closeBracket, "']'")
            return .valuePath(path, inner)
        }
        guard case .word(let opText) = next else { throw .invalidFilter("Expected an operator after '\(name)'.") }
        position += 1
        if opText.lowercased() == "pr" { return .present(path) }
        guard let op = ScimComparison(rawValue: opText.lowercased()) else {
            throw .invalidFilter("'\(opText)' is not a filter operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr).")
        }
        let value: ScimFilterValue
        switch next {
        case .string(let text)?: value = .string(text)
        case .word(let word)?:
            switch word.lowercased() {
            case "true": value = .bool(true)
            case "false": value = .bool(false)
            case "null": value = .null
            default:
                guard let number = Double(word), number.isFinite else {
                    throw .invalidFilter("'\(word)' is not a value: quote strings, as in \(name) \(opText) \"\(word)\".")
                }
                value = .number(number)
            }
        default: throw .invalidFilter("Expected a value after '\(name) \(opText)'.")
        }
        position += 1
        return .compare(path, op, value)
    }
}
