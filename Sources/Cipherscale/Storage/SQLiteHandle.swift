import CSQLiteSettings
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO
import VaporCSQLite

/// One SQLite connection driven straight through the C API that sqlite-nio vendors, with a cache
/// of prepared statements, and no thread hop.
///
/// sqlite-nio prepares every statement again and runs each one on its thread pool: two thread
/// switches and a parse per statement, which measured as most of a small request's cost (a create
/// spent 38% of its CPU in the kernel switching threads). Here a statement runs on the calling
/// task's thread, and its compiled form is kept by SQL text and reused with new bindings. A
/// statement whose last run took over a millisecond (a count over a million rows, a deep offset)
/// runs on NIO's thread pool instead, so it does not hold one of Swift's cooperative threads (one
/// a core) while short requests wait behind it.
///
/// Not thread-safe: the pool gives a handle to one task at a time (the writer's lock, the
/// readers' checkout).
final class SQLiteHandle: @unchecked Sendable {
    private let handle: OpaquePointer
    private var statements: [String: Statement] = [:]

    /// The most statements kept compiled per connection; past it, the cache starts over.
    static let cacheLimit = 256

    private final class Statement {
        let pointer: OpaquePointer
        let columns: [String]
        /// How long its last run took, in nanoseconds.
        var lastRun: UInt64 = 0
        init(pointer: OpaquePointer, columns: [String]) {
            self.pointer = pointer
            self.columns = columns
        }
    }

    /// A statement whose last run took longer than this runs on NIO's thread pool next time.
    static let longRun: UInt64 = 1_000_000

    /// Whether `sql` took longer than ``longRun`` the last time it ran on this connection: such a
    /// statement (a count over a tenant, a deep offset) would hold one of Swift's cooperative
    /// threads, one a core, while every short request waits behind it.
    func runsLong(_ sql: String) -> Bool {
        (statements[sql]?.lastRun ?? 0) > Self.longRun
    }

    private static let initialized: Bool = {
        sqlite_nio_sqlite3_initialize()
        return true
    }()

    /// Opens (creating when missing) the database file at `path`.
    init(path: String) throws {
        _ = Self.initialized
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "cannot open the database"
            if let handle { sqlite_nio_sqlite3_close(handle) }
            throw SQLiteFailure(code: status, message: message)
        }
        // Plans that do not depend on bound values: otherwise SQLite compiles a cached statement
        // again whenever a new value is bound where it could matter (a LIMIT, a term compared with
        // an indexed expression), which measured as 12% of a get-user's CPU.
        let qpsg = cipherscale_sqlite_enable_qpsg(UnsafeMutableRawPointer(handle))
        guard qpsg == SQLITE_OK else {
            sqlite_nio_sqlite3_close(handle)
            throw SQLiteFailure(code: qpsg, message: "cannot configure the connection")
        }
        self.handle = handle
    }

    deinit {
        close()
    }

    private var closed = false

    /// Finalizes every cached statement and closes the connection.
    func close() {
        guard !closed else { return }
        closed = true
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.pointer) }
        statements = [:]
        sqlite_nio_sqlite3_close_v2(handle)
    }

    /// Runs `sql` with `binds`, calling `onRow` for each result row.
    func run(_ sql: String, _ binds: [SQLiteData], _ onRow: (SQLiteResultRow) throws -> Void) throws {
        let statement = try prepared(sql)
        let pointer = statement.pointer
        let started = DispatchTime.now().uptimeNanoseconds
        // Always reset: a statement left mid-way keeps its read snapshot (and blocks checkpoints).
        defer {
            sqlite_nio_sqlite3_reset(pointer)
            sqlite_nio_sqlite3_clear_bindings(pointer)
            statement.lastRun = DispatchTime.now().uptimeNanoseconds &- started
        }
        for (index, value) in binds.enumerated() {
            let position = Int32(index + 1)
            let status: Int32
            switch value {
            case .integer(let number): status = sqlite_nio_sqlite3_bind_int64(pointer, position, Int64(number))
            case .float(let number): status = sqlite_nio_sqlite3_bind_double(pointer, position, number)
            case .text(let text):
                status = sqlite_nio_sqlite3_bind_text64(pointer, position, text, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            case .blob(let bytes):
                status = bytes.withUnsafeReadableBytes {
                    sqlite_nio_sqlite3_bind_blob64(pointer, position, $0.baseAddress, UInt64($0.count), Self.transient)
                }
            case .null: status = sqlite_nio_sqlite3_bind_null(pointer, position)
            }
            guard status == SQLITE_OK else { throw failure(status) }
        }
        while true {
            let status = sqlite_nio_sqlite3_step(pointer)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw failure(status) }
            var values: [SQLiteData] = []
            values.reserveCapacity(statement.columns.count)
            for column in 0..<Int32(statement.columns.count) { values.append(value(pointer, column)) }
            try onRow(SQLiteResultRow(columns: statement.columns, values: values))
        }
    }

    private func prepared(_ sql: String) throws -> Statement {
        if let cached = statements[sql] { return cached }
        var pointer: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard status == SQLITE_OK else { throw failure(status) }
        guard let pointer else {
            // Only a comment or whitespace: nothing to run.
            throw SQLiteFailure(code: SQLITE_MISUSE, message: "empty statement")
        }
        let count = sqlite_nio_sqlite3_column_count(pointer)
        let columns = (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(pointer, $0)) }
        let statement = Statement(pointer: pointer, columns: columns)
        if statements.count >= Self.cacheLimit {
            for old in statements.values { sqlite_nio_sqlite3_finalize(old.pointer) }
            statements = [:]
        }
        statements[sql] = statement
        return statement
    }

    private func value(_ pointer: OpaquePointer, _ column: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(pointer, column) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(pointer, column)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(pointer, column))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(pointer, column) else { return .text("") }
            let count = Int(sqlite_nio_sqlite3_column_bytes(pointer, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(pointer, column))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(pointer, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default: return .null
        }
    }

    private func failure(_ status: Int32) -> SQLiteFailure {
        SQLiteFailure(code: status, message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// An error from SQLite: its result code and message.
struct SQLiteFailure: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    var description: String { message }
}

/// One result row: the statement's column names and this row's values.
struct SQLiteResultRow: SQLRow {
    let columns: [String]
    let values: [SQLiteData]

    private static let decoder = SQLiteDataDecoder()

    var allColumns: [String] { columns }

    func contains(column: String) -> Bool { columns.contains(column) }

    func decodeNil(column: String) throws -> Bool {
        guard let index = columns.firstIndex(of: column) else { return true }
        return values[index] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let index = columns.firstIndex(of: column) else {
            throw DecodingError.keyNotFound(
                SQLiteColumnKey(column), .init(codingPath: [], debugDescription: "No column \(column) in the row."))
        }
        // The common shapes directly; everything else as sqlite-nio's rows decode it.
        switch values[index] {
        case .text(let text):
            if let text = text as? D { return text }
            if let text = Optional(text) as? D { return text }
        case .integer(let number):
            if let number = Int64(number) as? D { return number }
            if let number = Optional(Int64(number)) as? D { return number }
            if let number = number as? D { return number }
        default: break
        }
        return try Self.decoder.decode(D.self, from: values[index])
    }
}

private struct SQLiteColumnKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// SQLKit's view of a ``SQLiteHandle``: statements serialized with SQLite's dialect and run directly.
struct SQLiteHandleDatabase: SQLDatabase {
    let handle: SQLiteHandle
    let logger: Logger

    private static let encoder = SQLiteDataEncoder()

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var version: (any SQLDatabaseReportedVersion)? { nil }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        do {
            try run(query, onRow)
            promise.succeed(())
        } catch {
            promise.fail(error)
        }
        return promise.futureResult
    }

    /// Runs on the calling task, except a statement whose last run was long (``SQLiteHandle/runsLong(_:)``),
    /// which runs on NIO's thread pool.
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, binds) = try serialize(query)
        guard DirectoryTracing.enabled else { return try await run(sql, binds, onRow) }
        try await DirectoryTracing.statement(sql, system: "sqlite") { try await run(sql, binds, onRow) }
    }

    private func run(_ sql: String, _ binds: [SQLiteData], _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        if handle.runsLong(sql) {
            let handle = self.handle
            try await NIOThreadPool.singleton.runIfActive { try handle.run(sql, binds) { onRow($0) } }
        } else {
            try handle.run(sql, binds) { onRow($0) }
        }
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        let (sql, binds) = try serialize(query)
        try handle.run(sql, binds) { onRow($0) }
    }

    /// The query's SQL text in SQLite's dialect, and its bound values as SQLite values.
    private func serialize(_ query: any SQLExpression) throws -> (String, [SQLiteData]) {
        var serializer = SQLSerializer(database: self)
        query.serialize(to: &serializer)
        return (serializer.sql, try serializer.binds.map { try Self.encoder.encode($0) })
    }
}
