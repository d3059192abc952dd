import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import Synchronization

/// Where the data lives, parsed once from `DATABASE_URL` or the defaults.
public enum DatabaseLocation: Sendable, Equatable {
    /// An SQLite file (created with its folder when missing).
    case sqlite(path: String)
    /// A PostgreSQL server; `searchPath` pins a schema (tests use one schema per test).
    case postgres(url: String, searchPath: String? = nil)

    /// The location for a log line: the SQLite path, or the PostgreSQL URL without its password.
    public var redactedDescription: String {
        switch self {
        case .sqlite(let path):
            return "sqlite://" + path
        case .postgres(let url, _):
            guard var components = URLComponents(string: url) else { return "postgres://…" }
            if components.password != nil { components.password = "***" }
            return components.string ?? "postgres://…"
        }
    }

    /// Parses `DATABASE_URL`: `postgres://` or `postgresql://` URLs, `sqlite:///path` or a plain file path.
    public static func parse(_ value: String) throws -> DatabaseLocation {
        if value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") {
            return .postgres(url: value)
        }
        if value.hasPrefix("sqlite://") {
            return .sqlite(path: String(value.dropFirst("sqlite://".count)))
        }
        if value.contains("://") {
            throw ConfigurationError("DATABASE_URL must be postgres://..., sqlite://PATH or a file path")
        }
        return .sqlite(path: value)
    }
}
