import Foundation
import PostgresNIO
import SQLKit
import SQLiteNIO

extension FilterValue {
    /// The value as bound to SQL.
    var bindable: any Encodable & Sendable {
        switch self {
        case .text(let text): text
        case .millis(let millis): millis
        case .bool(let flag): flag
        }
    }
}
