import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteNIO
import Synchronization

/// SQLKit over one PostgreSQL connection, with every statement that has bound values prepared once
/// per connection and executed by name afterwards.
///
/// postgres-kit sends each statement to be parsed and planned again. On this machine, half of the
/// CPU of a get-user went to the PostgreSQL backends, mostly parsing and planning three short
/// statements. A prepared statement is parsed once, and after five runs PostgreSQL may keep a
/// generic plan when it costs no more than the custom ones.
///
/// PostgresNIO's prepared statements take their parameters in binary form and let the server infer
/// the parameters' types, so each typed value's placeholder is given its type in the SQL
/// (`$1::text`, `$2::int8`, `$3::bool`, `$4::float8`) and its value is sent in that type's binary
/// form; a NULL keeps the server's inferred type. A statement with no bound value, or with a value of
/// another type, goes through postgres-kit as before.
struct PreparedPostgresDatabase: SQLDatabase {
    let connection: PostgresConnection
    let cache: PostgresStatementCache

    var logger: Logger { connection.logger }
    var eventLoop: any EventLoop { connection.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { nil }
    var dialect: any SQLDialect { PostgresDialect() }
    var queryLogLevel: Logger.Level? { nil }

    private var plain: any SQLDatabase { connection.sql(queryLogLevel: nil) }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        plain.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        var serializer = SQLSerializer(database: self)
        query.serialize(to: &serializer)
        guard DirectoryTracing.enabled else { return try await run(query, serializer, onRow) }
        try await DirectoryTracing.statement(serializer.sql, system: "postgresql") { try await run(query, serializer, onRow) }
    }

    private func run(_ query: any SQLExpression, _ serializer: SQLSerializer, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        guard !serializer.binds.isEmpty, let (sql, values) = Self.typed(serializer.sql, serializer.binds) else {
            try await plain.execute(sql: query, onRow)
            return
        }
        let prepared: PreparedQuery
        if let cached = cache.statement(connection.id, sql) {
            prepared = cached
        } else {
            prepared = try await connection.prepare(query: sql).get()
            cache.store(prepared, connection.id, sql)
        }
        try await prepared.execute(values) { row in try onRow(Self.binaryRow(row)) }.get()
    }

    /// A row of a prepared statement's result. PostgresNIO asks for binary results but describes the
    /// columns with the text format the statement's description named, so its own decoding misreads
    /// them: the cells are read here as the binary values they are, for the types the directory's
    /// tables use (text, bigint, integer, boolean, double precision).
    static func binaryRow(_ row: PostgresRow) throws -> SQLiteResultRow {
        var columns: [String] = []
        var values: [SQLiteData] = []
        for cell in row {
            columns.append(cell.columnName)
            guard var bytes = cell.bytes else {
                values.append(.null)
                continue
            }
            let value: SQLiteData?
            switch cell.dataType {
            case .text, .varchar, .name, .bpchar: value = bytes.readString(length: bytes.readableBytes).map(SQLiteData.text)
            case .int8: value = bytes.readInteger(as: Int64.self).map { .integer(Int($0)) }
            case .int4: value = bytes.readInteger(as: Int32.self).map { .integer(Int($0)) }
            case .int2: value = bytes.readInteger(as: Int16.self).map { .integer(Int($0)) }
            case .bool: value = bytes.readInteger(as: UInt8.self).map { .integer($0 == 0 ? 0 : 1) }
            case .float8: value = bytes.readInteger(as: UInt64.self).map { .float(Double(bitPattern: $0)) }
            default: value = nil
            }
            guard let value else {
                throw PostgresResultError(column: cell.columnName, type: cell.dataType.description)
            }
            values.append(value)
        }
        return SQLiteResultRow(columns: columns, values: values)
    }

    /// The SQL with each non-NULL placeholder typed, and the values in binary form; nil when a value
    /// is of a type this does not handle.
    static func typed(_ sql: String, _ binds: [any Encodable & Sendable]) -> (String, [PostgresData])? {
        var types: [String?] = []
        var values: [PostgresData] = []
        for bind in binds {
            switch unwrapped(bind) {
            case nil:
                types.append(nil)
                values.append(.null)
            case let text as String:
                types.append("text")
                values.append(PostgresData(string: text))
            case let number as Int:
                types.append("int8")
                values.append(PostgresData(int64: Int64(number)))
            case let number as Int64:
                types.append("int8")
                values.append(PostgresData(int64: number))
            case let flag as Bool:
                types.append("bool")
                values.append(PostgresData(bool: flag))
            case let number as Double:
                types.append("float8")
                values.append(PostgresData(double: number))
            default:
                return nil
            }
        }
        // `$n` placeholders (the dialect's), each followed by its type.
        var out = ""
        out.reserveCapacity(sql.utf8.count + 8 * binds.count)
        var index = sql.startIndex
        while let dollar = sql[index...].firstIndex(of: "$") {
            out += sql[index...dollar]
            var end = sql.index(after: dollar)
            while end < sql.endIndex, sql[end].isASCII, sql[end].isNumber { end = sql.index(after: end) }
            let digits = sql[sql.index(after: dollar)..<end]
            out += digits
            if let position = Int(digits), (1...types.count).contains(position), let type = types[position - 1] {
                out += "::" + type
            }
            index = end
        }
        out += sql[index...]
        return (out, values)
    }

    private static func unwrapped(_ value: Any) -> Any? {
        if let optional = value as? any OptionalBind { return optional.bindValue.flatMap(unwrapped) }
        return value
    }
}

/// A result column of a type ``PreparedPostgresDatabase/binaryRow(_:)`` does not read.
struct PostgresResultError: Error, CustomStringConvertible {
    let column: String
    let type: String
    var description: String { "column \(column) has the type \(type), which prepared statements do not read" }
}

private protocol OptionalBind {
    var bindValue: Any? { get }
}

extension Optional: OptionalBind {
    fileprivate var bindValue: Any? { self.map { $0 as Any } }
}

/// Each connection's prepared statements by SQL text. A connection keeps at most ``limit``; past
/// that its new statements run unprepared. Entries of connections the pool has closed are dropped
/// when more than ``connectionLimit`` connections are remembered.
final class PostgresStatementCache: Sendable {
    static let limit = 512
    static let connectionLimit = 64
    private let statements = Mutex<[Int: [String: PreparedQuery]]>([:])

    func statement(_ connection: Int, _ sql: String) -> PreparedQuery? {
        statements.withLock { $0[connection]?[sql] }
    }

    func store(_ statement: PreparedQuery, _ connection: Int, _ sql: String) {
        statements.withLock { all in
            if all[connection] == nil, all.count >= Self.connectionLimit { all = [:] }
            if all[connection, default: [:]].count < Self.limit { all[connection, default: [:]][sql] = statement }
        }
    }
}
