import ArgumentParser
import Cipherscale
import Foundation
import Hummingbird
import Logging

/// Options every command shares: where the database is and how much to log.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"), help: "postgres://... or sqlite://PATH (env DATABASE_URL; default sqlite://./data/cipherscale.sqlite).")
    var databaseURL: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env LOG_LEVEL; default info).")
    var logLevel: String?

    /// The configuration from the environment with these flags applied on top.
    func configuration() throws -> AppConfiguration {
        var environment = ProcessInfo.processInfo.environment
        if let databaseURL { environment["DATABASE_URL"] = databaseURL }
        if let logLevel { environment["LOG_LEVEL"] = logLevel }
        return try AppConfiguration.fromEnvironment(environment)
    }

    func logger(_ configuration: AppConfiguration, label: String = "cipherscale") -> Logger {
        // With tracing on, every line logged inside a request carries its trace and span ids.
        let provider = configuration.tracing ? DirectoryTracing.loggingMetadata : nil
        var logger =
            configuration.logFormat == .json
            ? Logger(label: label) { label, _ in JSONLogHandler(label: label, metadataProvider: provider) }
            : Logger(label: label) { label, _ in StreamLogHandler.standardError(label: label, metadataProvider: provider) }
        logger.logLevel = configuration.logLevel
        return logger
    }
}
