import Crypto
import Foundation

/// A position in a sorted list: the sort values and the id of the last item of a page.
///
/// On the wire it is opaque (`nextCursor`, passed back as `after`): base64url of a small JSON
/// object that also records the sort order and a fingerprint of the filters and search it was
/// made for, so a cursor used with another order or other filters is refused instead of giving
/// a page from the wrong place.
public struct ListCursor: Sendable, Equatable {
    /// One sort value: text, a timestamp in milliseconds, or null.
    public enum Value: Sendable, Equatable, Codable {
        case null
        case text(String)
        case millis(Millis)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let number = try? container.decode(Millis.self) {
                self = .millis(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .null: try container.encodeNil()
            case .text(let text): try container.encode(text)
            case .millis(let millis): try container.encode(millis)
            }
        }
    }

    /// The values of the sort keys, in order.
    public var values: [Value]
    /// The id of the item, the last key of every order.
    public var id: String

    public init(values: [Value], id: String) {
        self.values = values
        self.id = id
    }

    private struct Payload: Codable {
        var sort: String
        var fingerprint: String
        var values: [Value]
        var id: String
        enum CodingKeys: String, CodingKey {
            case sort = "s"
            case fingerprint = "f"
            case values = "k"
            case id = "i"
        }
    }

    /// The opaque text for this position in a list read with `query`.
    public func encoded(for query: ListQuery) -> String {
        let payload = Payload(sort: Self.sortText(query.sort), fingerprint: Self.fingerprint(query), values: values, id: id)
        // Encoding a struct of strings, numbers and nulls cannot fail.
        let json = (try? JSONEncoder().encode(payload)) ?? Data()
        return Base64URL.encode(json)
    }

    /// Reads a cursor made for `query`'s sort, filters and search, checking each value's type
    /// against the field it sorts; nil when the text is not such a cursor.
    static func decode(_ text: String, for query: ListQuery, schema: ListSchema) -> ListCursor? {
        guard text.utf8.count <= 4096 else { return nil }
        guard let data = Base64URL.decode(text),
            let payload = try? JSONDecoder().decode(Payload.self, from: data),
            payload.sort == sortText(query.sort), payload.fingerprint == fingerprint(query),
            payload.values.count == query.sort.count, let id = Identifiers.canonical(payload.id)
        else { return nil }
        for (key, value) in zip(query.sort, payload.values) {
            guard let field = schema.fields[key.field] else { return nil }
            switch (field.type, value) {
            case (_, .null): continue
            case (.timestamp, .millis): continue
            case (.timestamp, _), (_, .millis): return nil
            // Nothing stored holds NUL, and PostgreSQL text cannot: a cursor carrying one is forged.
            case (_, .text(let text)) where text.contains("\u{0}"): return nil
            case (_, .text): continue
            }
        }
        return ListCursor(values: payload.values, id: id)
    }

    private static func sortText(_ sort: [SortKey]) -> String {
        sort.map { ($0.descending ? "-" : "") + $0.field }.joined(separator: ",")
    }

    /// A short digest of the filters and search: a cursor is only valid for the same set of matches.
    private static func fingerprint(_ query: ListQuery) -> String {
        let text = String(reflecting: query.filters) + "\u{1}" + (query.search ?? "")
        return Hex.encode(SHA256.hash(data: Data(text.utf8)).prefix(8))
    }
}
