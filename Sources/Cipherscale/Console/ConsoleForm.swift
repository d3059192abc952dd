import Foundation
import NIOCore

/// A posted `application/x-www-form-urlencoded` form.
struct ConsoleForm: Sendable {
    let pairs: [(String, String)]

    init(_ body: ByteBuffer) {
        pairs = QueryString.pairs(String(buffer: body))
    }

    init(query: String?) {
        pairs = QueryString.pairs(query)
    }

    /// The first value of `name`, trimmed; nil when absent or empty.
    subscript(_ name: String) -> String? {
        guard let value = pairs.first(where: { $0.0 == name })?.1.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// The first value of `name` as sent (untrimmed), or "".
    func raw(_ name: String) -> String {
        pairs.first(where: { $0.0 == name })?.1 ?? ""
    }

    /// Every value of `name` (checkboxes, multiple selects).
    func values(_ name: String) -> [String] {
        pairs.filter { $0.0 == name }.map(\.1)
    }
}
