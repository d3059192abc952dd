import Foundation
import NIOCore
import NIOPosix
import PostgresNIO
import SQLiteNIO

/// Why the server or a command could not start, as one line for the person who started it:
/// `cannot listen on 127.0.0.1:8080: address already in use`,
/// `cannot connect to the database at 127.0.0.1:5432: connection refused`.
///
/// The command line prints ``message(for:)`` of whatever error ends a command, so an error of any
/// other type still becomes one line; this type only adds what was being attempted.
public struct StartupFailure: Error, CustomStringConvertible {
    /// The line, without the program's name.
    public var description: String

    /// A failure described by `description`.
    public init(_ description: String) {
        self.description = description
    }

    /// The HTTP server could not listen on `host:port` (port in use, address not on this machine, unknown host name).
    public static func cannotListen(host: String, port: Int, cause: any Error) -> StartupFailure {
        StartupFailure("cannot listen on \(host):\(port): \(reason(cause))")
    }

    /// The PostgreSQL server at `host:port` could not be reached, or refused the connection.
    public static func cannotConnectToDatabase(host: String, port: Int, cause: any Error) -> StartupFailure {
        StartupFailure("cannot connect to the database at \(host):\(port): \(reason(cause))")
    }

    /// The SQLite database at `path` could not be opened (its folder cannot be created, the file is not a database).
    public static func cannotOpenDatabase(path: String, cause: any Error) -> StartupFailure {
        StartupFailure("cannot open the database at \(path): \(reason(cause))")
    }

    /// Whether `error` comes from the socket layer (binding, resolving an address): what the HTTP
    /// server throws when it cannot listen. It throws nothing else once it listens.
    public static func isSocketError(_ error: any Error) -> Bool {
        error is IOError || error is SocketAddressError || error is SocketAddressError.UnknownHost
            || error is NIOConnectionError || error is ChannelError
    }

    /// One line for any error that ends a command: this type's own text, a setting that cannot be
    /// used, a database error's message, or the first line of anything else.
    public static func message(for error: any Error) -> String {
        switch error {
        case let failure as StartupFailure: failure.description
        case let error as ConfigurationError: "invalid setting: \(error.description)"
        default: reason(error)
        }
    }

    /// The cause, briefly: `address already in use`, `connection refused`, or a server's own message.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as IOError:
            return errnoText(error.errnoCode)
        case let error as NIOConnectionError:
            // One failure per address tried; the first names the cause (they rarely differ).
            if let first = error.connectionErrors.first { return reason(first.error) }
            return "cannot resolve the host name \(error.host)"
        case let error as SocketAddressError.UnknownHost:
            return "cannot resolve the host name \(error.host)"
        case let error as SocketAddressError:
            return "not a usable address (\(error))"
        case let error as ChannelError:
            if case .connectTimeout(let limit) = error { return "no answer within \(limit.nanoseconds / 1_000_000_000) s" }
            return "\(error)"
        case let error as PSQLError:
            // `PSQLError.description` hides everything on purpose; the server's message and the
            // underlying network error are what a person needs.
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return reason(underlying) }
            switch error.code {
            case .serverClosedConnection, .uncleanShutdown:
                return "the server closed the connection (is it a PostgreSQL server?)"
            case .sslUnsupported:
                return "the server does not offer TLS, which sslmode asks for"
            case .authMechanismRequiresPassword:
                return "the server wants a password and the URL has none"
            case .unsupportedAuthMechanism:
                return "the server asks for an authentication method this client does not support"
            default:
                return "PostgreSQL error \(error.code)"
            }
        case let error as SQLiteError:
            return error.message
        case let error as SQLiteFailure:
            return error.message
        case let error as POSIXError:
            return errnoText(error.code.rawValue)
        case let error as CocoaError:
            // File errors: the path and the system's reason (`/srv/x: permission denied`).
            let cause = (error.underlying as? POSIXError).map { errnoText($0.code.rawValue) } ?? error.localizedDescription
            return error.filePath.map { "\($0): \(cause)" } ?? cause
        default:
            let text = String(describing: error)
            return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        }
    }

    /// The C library's text for `code`, starting in lower case to read inside a sentence.
    private static func errnoText(_ code: CInt) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
