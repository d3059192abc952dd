import Foundation
import PostgresNIO
import SQLKit
import SQLiteNIO

extension ListCursor.Value {
    /// The value as bound to SQL; nil for NULL.
    var bindable: (any Encodable & Sendable)? {
        switch self {
        case .null: nil
        case .text(let text): text
        case .millis(let millis): millis
        }
    }
}
