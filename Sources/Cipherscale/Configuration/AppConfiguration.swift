import Logging

/// Everything the server reads from its environment, read once at the edge (the command line).
///
/// | key | flag | default |
/// |---|---|---|
/// | `HOST` | `--host` | `127.0.0.1` |
/// | `PORT` | `--port` | `8080` |
/// | `DATABASE_URL` | `--database-url` | `sqlite://./data/cipherscale.sqlite` |
/// | `LOG_LEVEL` | `--log-level` | `info` |
/// | `INVITATION_TTL_HOURS` | — | `168` (7 days) |
/// | `DATABASE_MAX_CONNECTIONS` | — | `16` (PostgreSQL pool size) |
public struct AppConfiguration: Sendable {
    /// Interface to listen on.
    public var host: String = "127.0.0.1"
    /// TCP port to listen on.
    public var port: Int = 8080
    /// Where the data lives.
    public var database: DatabaseLocation = .sqlite(path: "./data/cipherscale.sqlite")
    /// Minimum level of log lines.
    public var logLevel: Logger.Level = .info
    /// How long invitations stay valid, in milliseconds.
    public var invitationTTL: Millis = 7 * 24 * 3600 * 1000
    /// PostgreSQL pool size.
    public var maxConnections: Int = 16

    public init() {}

    /// Reads the environment variables named in the table above; flags given later override them.
    public static func fromEnvironment(_ environment: [String: String]) throws -> AppConfiguration {
        var configuration = AppConfiguration()
        if let host = environment["HOST"], !host.isEmpty { configuration.host = host }
        if let port = environment["PORT"], !port.isEmpty {
            guard let value = Int(port), (0...65535).contains(value) else { throw ConfigurationError("PORT must be a number from 0 to 65535") }
            configuration.port = value
        }
        if let url = environment["DATABASE_URL"], !url.isEmpty { configuration.database = try DatabaseLocation.parse(url) }
        if let level = environment["LOG_LEVEL"], !level.isEmpty {
            guard let value = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = value
        }
        if let hours = environment["INVITATION_TTL_HOURS"], !hours.isEmpty {
            guard let value = Int(hours), value > 0 else { throw ConfigurationError("INVITATION_TTL_HOURS must be a positive integer") }
            configuration.invitationTTL = Millis(value) * 3600 * 1000
        }
        if let size = environment["DATABASE_MAX_CONNECTIONS"], !size.isEmpty {
            guard let value = Int(size), value > 0 else { throw ConfigurationError("DATABASE_MAX_CONNECTIONS must be a positive integer") }
            configuration.maxConnections = value
        }
        return configuration
    }
}

/// A configuration value that cannot be used.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
