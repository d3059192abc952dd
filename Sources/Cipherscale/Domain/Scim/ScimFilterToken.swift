/// A token of a SCIM filter or PATCH path: brackets, a JSON string, or a word (an attribute path,
/// an operator, `true`/`false`/`null` or a number).
enum ScimFilterToken: Sendable, Equatable, CustomStringConvertible {
    case open, close, openBracket, closeBracket
    case string(String)
    case word(String)

    var description: String {
        switch self {
        case .open: return "'('"
        case .close: return "')'"
        case .openBracket: return "'['"
        case .closeBracket: return "']'"
        case .string(let text): return "\"\(text)\""
        case .word(let word): return "'\(word)'"
        }
    }

    /// Splits `text` into tokens; an unterminated string or a bad escape is `invalidFilter`.
    static func scan(_ text: String) throws(ScimError) -> [ScimFilterToken] {
        var tokens: [ScimFilterToken] = []
        let chars = Array(text.unicodeScalars)
        var index = 0
        while index < chars.count {
            let char = chars[index]
            switch char {
            case " ", "\t", "\n", "\r":
                index += 1
            case "(":
                tokens.append(.open)
                index += 1
            case ")":
                tokens.append(.close)
                index += 1
            case "[":
                tokens.append(.openBracket)
                index += 1
            case "]":
                tokens.append(.closeBracket)
                index += 1
            case "\"":
                var value = String.UnicodeScalarView()
                index += 1
                var closed = false
                while index < chars.count {
                    let scalar = chars[index]
                    index += 1
                    if scalar == "\"" {
                        closed = true
                        break
                    }
                    guard scalar == "\\" else {
                        value.append(scalar)
                        continue
                    }
                    guard index < chars.count else { break }
                    let escape = chars[index]
                    index += 1
                    switch escape {
                    case "\"", "\\", "/": value.append(escape)
                    case "b": value.append("\u{08}")
                    case "f": value.append("\u{0C}")
                    case "n": value.append("\n")
                    case "r": value.append("\r")
                    case "t": value.append("\t")
                    case "u":
                        guard index + 4 <= chars.count, let code = UInt32(String(String.UnicodeScalarView(chars[index..<index + 4])), radix: 16),
                            let scalar = Unicode.Scalar(code)
                        else { throw .invalidFilter("A \\u escape in a filter string is not valid.") }
                        value.append(scalar)
                        index += 4
                    default: throw .invalidFilter("'\\\(escape)' is not a JSON string escape.")
                    }
                }
                guard closed else { throw .invalidFilter("A string in the filter has no closing quote.") }
                tokens.append(.string(String(value)))
            default:
                var word = String.UnicodeScalarView()
                while index < chars.count, !" \t\n\r()[]\"".unicodeScalars.contains(chars[index]) {
                    word.append(chars[index])
                    index += 1
                }
                tokens.append(.word(String(word)))
            }
        }
        return tokens
    }
}
