import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import Synchronization

/// A shared counter for picking reader connections in turn.
final class RoundRobin: Sendable {
    let counter = Atomic<Int>(0)
}
