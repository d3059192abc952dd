import Foundation
import PostgresNIO
import SQLKit
import SQLiteNIO

/// Recognising constraint violations from either engine, so a race that loses to a unique index is a 409.
enum SQLErrors {
    /// True when `error` is a unique-constraint violation.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] == "23505" }
        if let error = error as? SQLiteError { return error.message.contains("UNIQUE constraint failed") }
        if let error = error as? SQLiteFailure { return error.message.contains("UNIQUE constraint failed") }
        return false
    }
}
