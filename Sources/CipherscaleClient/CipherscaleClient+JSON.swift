import Foundation
import OpenAPIRuntime

extension CipherscaleClient {
    /// `value` as the server writes it, pretty-printed: dates with milliseconds, slashes unescaped,
    /// keys sorted (so the output of two runs compares line by line).
    public static func prettyJSON<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let transcoder = configuration.dateTranscoder
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(try transcoder.encode(date))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A timestamp as the server prints it: `2023-01-15T10:30:00.123Z`.
    public static func timestamp(_ date: Date) -> String {
        (try? configuration.dateTranscoder.encode(date)) ?? "\(date)"
    }

    /// Reads a timestamp given by a person: with or without fractional seconds, UTC or with an offset.
    public static func parseTimestamp(_ text: String) -> Date? {
        if let date = try? configuration.dateTranscoder.decode(text) { return date }
        return try? ISO8601DateTranscoder.iso8601.decode(text)
    }
}
