import Foundation
import OpenAPIRuntime

/// Prints dates as `2023-01-15T10:30:00.123Z` (UTC, milliseconds) and reads any ISO-8601 date-time.
struct MillisecondDateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String {
        Timestamps.format(Millis((date.timeIntervalSince1970 * 1000).rounded()))
    }

    func decode(_ text: String) throws -> Date {
        guard let millis = Timestamps.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "'\(text)' is not an ISO-8601 date-time"))
        }
        return Date(millis: millis)
    }
}
