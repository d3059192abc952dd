import ArgumentParser
import Cipherscale
import Foundation
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server (the default command).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Interface to listen on (env HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env PORT; default 8080).")
    var port: Int?

    func run() async throws {
        var configuration = try database.configuration()
        if let host { configuration.host = host }
        if let port {
            guard (0...65535).contains(port) else { throw ConfigurationError("--port must be a number from 0 to 65535") }
            configuration.port = port
        }
        try configuration.checkCombinations()
        let logger = database.logger(configuration)
        let runtime = try await DirectoryRuntime.open(configuration, logger: logger)
        let services = runtime.services
        let app: any ApplicationProtocol
        do {
            // A fresh database gets a first tenant so the server is usable at once (one, however many
            // servers start together on it).
            if let created = try await services.tenants.createFirst(name: "Default tenant", ownerEmail: "owner@example.com") {
                let link = try await services.console.operatorLinks(email: "owner@example.com").first.map {
                    InvitationMessage(from: "", publicBaseURL: configuration.linkBaseURL).signInLink(token: $0.token)
                }
                print(
                    """
                    Created the first tenant \(created.tenantId) with owner owner@example.com.
                    Its admin API key (shown once; send it in the `apikey` header):
                    \(created.apiKey)
                    Sign in to the console as the owner (link valid 15 minutes, once; later: cipherscale console-link --email owner@example.com):
                    \(link ?? "(no link: the owner cannot sign in)")
                    """)
                fflush(nil)
            }
            app = try await buildApplication(runtime: runtime, configuration: configuration, logger: logger)
            logger.info(
                "starting Cipherscale Directory",
                metadata: [
                    "database": "\(configuration.database.redactedDescription)",
                    "mail": "\(configuration.smtp == nil ? "files in \(configuration.mailDirectory) (no SMTP_URL)" : "SMTP")",
                    "links": "\(configuration.linkBaseURL)",
                ])
        } catch {
            // Until the server runs, nothing else closes the database (an SQLite connection left open
            // trips SQLiteNIO's assertion in debug builds, a crash instead of the one-line message).
            await runtime.close()
            throw error
        }
        do {
            // When the server cannot bind, its service group cancels the other services (they all
            // end on cancellation) and this throws the bind error once every one of them has ended.
            try await app.runService()
            logger.info("stopped: requests in flight were answered, the workers and the database are closed")
        } catch  where StartupFailure.isSocketError(error) {
            throw StartupFailure.cannotListen(host: configuration.host, port: configuration.port, cause: error)
        }
    }
}
