/// A strict RFC 8259 syntax check. Foundation's decoders accept some non-JSON (trailing commas),
/// and the contract says malformed JSON is a 400, so bodies are checked here first. Nesting deeper
/// than ``maxDepth`` and strings holding NUL (`\u0000`) are refused too.
enum StrictJSON {
    static let maxDepth = 64

    /// True when `bytes` is exactly one JSON value, optionally surrounded by whitespace.
    static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        var parser = Parser(bytes: Array(bytes))
        parser.skipWhitespace()
        guard parser.value(depth: 0) else { return false }
        parser.skipWhitespace()
        return parser.index == parser.bytes.count
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func expect(_ literal: String) -> Bool {
            for byte in literal.utf8 {
                guard current == byte else { return false }
                index += 1
            }
            return true
        }

        mutating func value(depth: Int) -> Bool {
            guard depth < StrictJSON.maxDepth, let byte = current else { return false }
            switch byte {
            case UInt8(ascii: "{"): return object(depth: depth + 1)
            case UInt8(ascii: "["): return array(depth: depth + 1)
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "t"): return expect("true")
            case UInt8(ascii: "f"): return expect("false")
            case UInt8(ascii: "n"): return expect("null")
            default: return number()
            }
        }

        mutating func object(depth: Int) -> Bool {
            elements(closedBy: UInt8(ascii: "}")) { parser in
                guard parser.current == UInt8(ascii: "\""), parser.string() else { return false }
                parser.skipWhitespace()
                guard parser.current == UInt8(ascii: ":") else { return false }
                parser.index += 1
                parser.skipWhitespace()
                return parser.value(depth: depth)
            }
        }

        mutating func array(depth: Int) -> Bool {
            elements(closedBy: UInt8(ascii: "]")) { parser in parser.value(depth: depth) }
        }

        /// The comma-separated elements of an object or array, from its opening bracket to `close`.
        mutating func elements(closedBy close: UInt8, _ element: (inout Self) -> Bool) -> Bool {
            index += 1
            skipWhitespace()
            if current == close {
                index += 1
                return true
            }
            while true {
                skipWhitespace()
                guard element(&self) else { return false }
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard current == close else { return false }
                index += 1
                return true
            }
        }

        mutating func string() -> Bool {
            index += 1
            while let byte = current {
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return true
                case UInt8(ascii: "\\"):
                    guard let escaped = current else { return false }
                    index += 1
                    if escaped == UInt8(ascii: "u") {
                        var code = 0
                        for _ in 0..<4 {
                            guard let hex = current, let digit = Self.hexValue(hex) else { return false }
                            code = code * 16 + digit
                            index += 1
                        }
                        // NUL cannot be stored in a PostgreSQL text column; no field of this API needs it.
                        if code == 0 { return false }
                    } else if !"\"\\/bfnrt".utf8.contains(escaped) {
                        return false
                    }
                case 0..<0x20: return false
                default: break
                }
            }
            return false
        }

        static func hexValue(_ byte: UInt8) -> Int? {
            switch byte {
            case 0x30...0x39: Int(byte - 0x30)
            case 0x41...0x46: Int(byte - 0x41 + 10)
            case 0x61...0x66: Int(byte - 0x61 + 10)
            default: nil
            }
        }

        mutating func number() -> Bool {
            func digits() -> Int {
                var count = 0
                while let byte = current, (0x30...0x39).contains(byte) {
                    index += 1
                    count += 1
                }
                return count
            }
            if current == UInt8(ascii: "-") { index += 1 }
            if current == UInt8(ascii: "0") {
                index += 1
            } else if digits() == 0 {
                return false
            }
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { return false }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { return false }
            }
            return true
        }
    }
}
