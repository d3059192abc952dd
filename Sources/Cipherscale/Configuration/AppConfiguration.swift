import Logging
import NIOSSL

/// Everything the server reads from its environment, read once at the edge (the command line).
///
/// | key | flag | default |
/// |---|---|---|
/// | `HOST` | `--host` | `127.0.0.1` |
/// | `PORT` | `--port` | `8080` |
/// | `DATABASE_URL` | `--database-url` | `sqlite://./data/cipherscale.sqlite` |
/// | `LOG_LEVEL` | `--log-level` | `info` |
/// | `LOG_REQUESTS` | — | off; `1` logs one access line per request |
/// | `LOG_FORMAT` | — | `text`; `json` writes one JSON object per line |
/// | `METRICS_PORT` | — | none: `GET /metrics` is on the main port |
/// | `METRICS` | — | `on`; `off` records no metric and serves no `/metrics` |
/// | `INVITATION_TTL_HOURS` | — | `168` (7 days) |
/// | `DATABASE_MAX_CONNECTIONS` | — | `16` (PostgreSQL pool size) |
/// | `SMTP_URL` | — | none: messages become `.eml` files in `MAIL_DIR` |
/// | `SMTP_CA_FILE` | — | the system's trust store (PEM file of a private CA for the relay) |
/// | `MAIL_FROM` | — | `Cipherscale <no-reply@localhost>` |
/// | `MAIL_DIR` | — | `./data/mail` |
/// | `PUBLIC_BASE_URL` | — | `http://HOST:PORT` followed by `BASE_PATH` |
/// | `BASE_PATH` | — | none: the API, the console and every page under this prefix (`/qa`) |
/// | `INVITATION_SECRET` | — | a random secret kept in the database |
/// | `INVITATION_RATE_LIMIT` | — | `30` requests per minute per client address on `/invitations`; 0 turns it off |
/// | `CONSOLE_SIGNIN_RATE_LIMIT` | — | `10` console sign-in requests per minute per client address; 0 turns it off |
/// | `RATE_LIMIT` | — | `100` requests per second per API key, bursts up to twice that; 0 turns it off |
/// | `RATE_LIMIT_SCOPE` | — | `process`: each process keeps its own buckets; `cluster` shares them in PostgreSQL |
/// | `OTEL_EXPORTER_OTLP_ENDPOINT` | — | none: no spans; set, spans go there over OTLP/HTTP (protobuf) |
/// | `IDLE_TIMEOUT_SECONDS` | — | `30`: a connection that sends nothing for this long is closed |
/// | `DEVICE_ONLINE_SECONDS` | — | `300`: a device is Online this long after its last heartbeat |
/// | `MAIL_POLL_MS`, `MAIL_RETRY_BASE_MS`, `MAIL_MAX_ATTEMPTS`, `MAIL_LEASE_MS` | — | `1000`, `30000`, `12`, `120000` |
public struct AppConfiguration: Sendable {
    /// Interface to listen on.
    public var host: String = "127.0.0.1"
    /// TCP port to listen on.
    public var port: Int = 8080
    /// Where the data lives.
    public var database: DatabaseLocation = .sqlite(path: "./data/cipherscale.sqlite")
    /// Minimum level of log lines.
    public var logLevel: Logger.Level = .info
    /// One access-log line per request (method, route, status, duration, request id).
    public var logRequests = false
    /// Human-readable lines or one JSON object per line.
    public var logFormat: LogFormat = .text
    /// How long invitations stay valid, in milliseconds.
    public var invitationTTL: Millis = 7 * 24 * 3600 * 1000
    /// PostgreSQL pool size.
    public var maxConnections: Int = 16
    /// The SMTP server invitations go through; nil writes `.eml` files to ``mailDirectory``.
    public var smtp: SMTPConfiguration?
    /// The `From` of invitation emails.
    public var mailFrom: String = "Cipherscale <no-reply@localhost>"
    /// Where messages are written without SMTP.
    public var mailDirectory: String = "./data/mail"
    /// The base of acceptance links; defaults to this server's own address.
    public var publicBaseURL: String?
    /// The HMAC key of invitation tokens; nil keeps a random one in the database.
    public var invitationSecret: String?
    /// Requests per minute per client address on `/invitations/...`; 0 disables the limit.
    public var invitationRateLimit: Int = 30
    /// Console sign-in requests per minute per client address; 0 turns the limit off.
    public var consoleSignInRateLimit: Int = 10
    /// Requests per second per API key (bursts of twice that); 0 means no limit.
    public var rateLimit: Int = 100
    /// Whether the per-key limit is kept in PostgreSQL for every process (`RATE_LIMIT_SCOPE=cluster`).
    public var rateLimitCluster = false
    /// Whether spans are exported (`OTEL_EXPORTER_OTLP_ENDPOINT` or `..._TRACES_ENDPOINT` set).
    public var tracing = false
    /// Seconds a connection may stay silent (mid-request or between requests) before it is closed.
    public var idleTimeoutSeconds: Int = 30
    /// Outbox worker timing.
    public var delivery = DeliverySettings()
    /// How long after its last heartbeat a device counts as Online.
    public var deviceOnlineWindow: Millis = 300_000

    /// The prefix every path is served under (`/qa`), or empty.
    public var basePath = ""
    /// `METRICS=off`: no metric is recorded and `/metrics` is not served.
    public var metrics = true
    /// `METRICS_PORT`: serve `GET /metrics` on this port only (on the main port when nil).
    public var metricsPort: Int?

    /// The base URL links are built from.
    public var linkBaseURL: String { publicBaseURL ?? "http://\(host):\(port)\(basePath)" }

    public init() {}

    /// Refuses settings that cannot go together (checked once flags are applied, before the database is opened).
    public func checkCombinations() throws {
        if rateLimitCluster, case .sqlite = database {
            throw ConfigurationError("RATE_LIMIT_SCOPE=cluster keeps the per-key limit in PostgreSQL, and the database is SQLite: use process")
        }
    }

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
        if let format = environment["LOG_FORMAT"], !format.isEmpty {
            guard let value = LogFormat(rawValue: format.lowercased()) else { throw ConfigurationError("LOG_FORMAT must be text or json") }
            configuration.logFormat = value
        }
        if let hours = environment["INVITATION_TTL_HOURS"], !hours.isEmpty {
            guard let value = Int(hours), value > 0 else { throw ConfigurationError("INVITATION_TTL_HOURS must be a positive integer") }
            configuration.invitationTTL = Millis(value) * 3600 * 1000
        }
        if let size = environment["DATABASE_MAX_CONNECTIONS"], !size.isEmpty {
            guard let value = Int(size), value > 0 else { throw ConfigurationError("DATABASE_MAX_CONNECTIONS must be a positive integer") }
            configuration.maxConnections = value
        }
        if let url = environment["SMTP_URL"], !url.isEmpty {
            var smtp = try SMTPConfiguration.parse(url)
            if let file = environment["SMTP_CA_FILE"], !file.isEmpty {
                // A relay with a private CA: trust it (in addition to nothing else) for STARTTLS and smtps.
                smtp.tls.trustRoots = .file(file)
            }
            if let from = environment["MAIL_FROM"], let domain = from.split(separator: "@").last?.split(separator: ">").first {
                smtp.heloName = String(domain)
            }
            configuration.smtp = smtp
        }
        if let from = environment["MAIL_FROM"], !from.isEmpty { configuration.mailFrom = from }
        if let folder = environment["MAIL_DIR"], !folder.isEmpty { configuration.mailDirectory = folder }
        if let base = environment["PUBLIC_BASE_URL"], !base.isEmpty { configuration.publicBaseURL = base }
        if let prefix = environment["BASE_PATH"], !prefix.isEmpty, prefix != "/" {
            let trimmed = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
            guard trimmed.hasPrefix("/"), !trimmed.contains(where: { "?#% ".contains($0) }) else {
                throw ConfigurationError("BASE_PATH must be a path such as /qa (a leading slash, no query, no spaces); got '\(prefix)'")
            }
            configuration.basePath = trimmed
        }
        if let secret = environment["INVITATION_SECRET"], !secret.isEmpty {
            guard secret.utf8.count >= 32 else { throw ConfigurationError("INVITATION_SECRET must be at least 32 characters") }
            configuration.invitationSecret = secret
        }
        func integer(_ name: String, minimum: Int) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text), value >= minimum else { throw ConfigurationError("\(name) must be an integer of at least \(minimum)") }
            return value
        }
        if let flag = environment["LOG_REQUESTS"], !flag.isEmpty {
            switch flag.lowercased() {
            case "1", "true", "yes", "on": configuration.logRequests = true
            case "0", "false", "no", "off": configuration.logRequests = false
            default: throw ConfigurationError("LOG_REQUESTS must be 1 or 0")
            }
        }
        if let limit = try integer("INVITATION_RATE_LIMIT", minimum: 0) { configuration.invitationRateLimit = limit }
        if let limit = try integer("CONSOLE_SIGNIN_RATE_LIMIT", minimum: 0) { configuration.consoleSignInRateLimit = limit }
        if let limit = try integer("RATE_LIMIT", minimum: 0) { configuration.rateLimit = limit }
        if let scope = environment["RATE_LIMIT_SCOPE"], !scope.isEmpty {
            switch scope.lowercased() {
            case "process": configuration.rateLimitCluster = false
            case "cluster": configuration.rateLimitCluster = true
            default: throw ConfigurationError("RATE_LIMIT_SCOPE must be process or cluster")
            }
        }
        configuration.tracing = DirectoryTracing.requested(by: environment)
        if let flag = environment["METRICS"], !flag.isEmpty {
            switch flag.lowercased() {
            case "on", "1", "true": configuration.metrics = true
            case "off", "0", "false": configuration.metrics = false
            default: throw ConfigurationError("METRICS must be on or off")
            }
        }
        if let seconds = try integer("IDLE_TIMEOUT_SECONDS", minimum: 1) { configuration.idleTimeoutSeconds = seconds }
        if let poll = try integer("MAIL_POLL_MS", minimum: 10) { configuration.delivery.pollInterval = .milliseconds(poll) }
        if let base = try integer("MAIL_RETRY_BASE_MS", minimum: 1) { configuration.delivery.retryBase = Millis(base) }
        if let attempts = try integer("MAIL_MAX_ATTEMPTS", minimum: 1) { configuration.delivery.maxAttempts = attempts }
        if let lease = try integer("MAIL_LEASE_MS", minimum: 100) { configuration.delivery.lease = Millis(lease) }
        if let seconds = try integer("DEVICE_ONLINE_SECONDS", minimum: 1) { configuration.deviceOnlineWindow = Millis(seconds) * 1000 }
        if let port = try integer("METRICS_PORT", minimum: 1) {
            guard port <= 65535 else { throw ConfigurationError("METRICS_PORT must be a port number (1 to 65535)") }
            configuration.metricsPort = port
        }
        return configuration
    }
}
