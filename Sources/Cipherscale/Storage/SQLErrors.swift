import Foundation
import PostgresNIO
import SQLKit
import SQLiteNIO

/// Recognising constraint violations from either engine, so a race that loses to a unique index is a 409.
enum SQLErrors {
    /// True when `error` is a unique-constraint violation.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        if let state = sqlState(error) { return state == "23505" }
        if let error = error as? SQLiteError { return error.message.contains("UNIQUE constraint failed") }
        if let error = error as? SQLiteFailure { return error.message.contains("UNIQUE constraint failed") }
        return false
    }

    /// PostgreSQL's SQLSTATE of `error`: PSQLError from postgres-kit's statements, PostgresError from
    /// prepared ones (PostgresNIO's older interface reports that type).
    static func sqlState(_ error: any Error) -> String? {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] }
        if let error = error as? PostgresError, case .server(let server) = error { return server.fields[.sqlState] }
        return nil
    }

    /// A deadlock or serialisation failure: PostgreSQL asking for the transaction to be tried again.
    static func isRetryable(_ error: any Error) -> Bool {
        let state = sqlState(error)
        return state == "40P01" || state == "40001"
    }
}
