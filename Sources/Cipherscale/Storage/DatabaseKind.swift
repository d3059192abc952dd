import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import Synchronization

/// Which SQL engine a ``DatabasePool`` talks to. Dialect differences stay inside `Storage/`.
public enum DatabaseKind: String, Sendable {
    case sqlite
    case postgres
}
