import ArgumentParser
import Cipherscale
import Foundation
import Hummingbird
import Logging

/// `cipherscale`: the Cipherscale Directory server and its administration commands.
@main
struct CipherscaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cipherscale",
        abstract: "Cipherscale Directory: the tenant user-management API server.",
        subcommands: [Serve.self, Migrate.self, Tenants.self, APIKeys.self, Seed.self],
        defaultSubcommand: Serve.self
    )

    /// Parses and runs the command. Usage errors, `--help` and a command's `ValidationError` are
    /// ArgumentParser's to print; any other error ends the process here, in one place for every
    /// command, with one line on stderr (`cipherscale: cannot listen on 127.0.0.1:8080: address
    /// already in use`) and exit status 1, instead of a dump of the error's type.
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try await asyncParseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error where error is ValidationError || error is ExitCode || error is CleanExit {
            exit(withError: error)
        } catch {
            fflush(nil)
            FileHandle.standardError.write(Data("cipherscale: \(StartupFailure.message(for: error))\n".utf8))
            Self.exit(withError: ExitCode.failure)
        }
    }
}

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
        var logger = Logger(label: label)
        logger.logLevel = configuration.logLevel
        return logger
    }
}

/// Runs `body` with the services over the migrated database and closes it afterwards.
func withDatabase<T>(
    _ options: DatabaseOptions, quiet: Bool = true, _ body: (DirectoryServices, SQLStore) async throws -> T
) async throws -> T {
    var configuration = try options.configuration()
    if quiet && options.logLevel == nil && ProcessInfo.processInfo.environment["LOG_LEVEL"] == nil { configuration.logLevel = .warning }
    let logger = options.logger(configuration)
    let pool = try await openDatabase(configuration, logger: logger)
    do {
        let store = SQLStore(pool: pool, onlineWindow: configuration.deviceOnlineWindow)
        let result = try await body(try await makeServices(store: store, configuration: configuration), store)
        await pool.close()
        return result
    } catch {
        await pool.close()
        throw error
    }
}

/// A tenant id given on the command line, or a usage error.
func tenantID(_ text: String) throws -> TenantID {
    guard let id = TenantID(text) else { throw ValidationError("--tenant must be a tenant id (a UUID); got '\(text)'.") }
    return id
}

/// Prints one JSON object on a line of its own.
func printJSON(_ object: [String: Any]) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
}

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
        let logger = database.logger(configuration)
        let pool = try await openDatabase(configuration, logger: logger)
        let app: any ApplicationProtocol
        do {
            let services = try await makeServices(
                store: SQLStore(pool: pool, onlineWindow: configuration.deviceOnlineWindow), configuration: configuration)
            if try await services.tenants.count() == 0 {
                // A fresh database gets a first tenant so the server is usable at once.
                let created = try await services.tenants.create(name: "Default tenant", ownerEmail: "owner@example.com")
                print(
                    """
                    Created the first tenant \(created.tenantId) with owner owner@example.com.
                    Its admin API key (shown once; send it in the `apikey` header):
                    \(created.apiKey)
                    """)
                fflush(nil)
            }
            app = try await buildApplication(configuration: configuration, pool: pool, logger: logger)
        } catch {
            // Until the server runs, nothing else closes the pool (an SQLite connection left open
            // trips SQLiteNIO's assertion in debug builds, a crash instead of the one-line message).
            await pool.close()
            throw error
        }
        do {
            // When the server cannot bind, its service group cancels the other services (they all
            // end on cancellation) and this throws the bind error once every one of them has ended.
            try await app.runService()
        } catch  where StartupFailure.isSocketError(error) {
            throw StartupFailure.cannotListen(host: configuration.host, port: configuration.port, cause: error)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await withDatabase(database, quiet: false) { _, _ in }
        print("Migrations are up to date.")
    }
}

struct Tenants: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage tenants.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a tenant with its owner, system roles and Default group, and print a new admin API key once."
        )

        @OptionGroup var database: DatabaseOptions
        @Option(help: "The tenant's name.") var name: String
        @Option(name: .customLong("owner-email"), help: "The owner's email address.") var ownerEmail: String
        @Flag(help: "Print exactly one JSON object: {\"tenantId\", \"ownerUserId\", \"apiKey\"}.") var json = false

        func run() async throws {
            let created = try await withDatabase(database) { services, _ in try await services.tenants.create(name: name, ownerEmail: ownerEmail) }
            if json {
                try printJSON(["tenantId": created.tenantId.rawValue, "ownerUserId": created.ownerUserId.rawValue, "apiKey": created.apiKey])
            } else {
                print("tenant \(created.tenantId)\nowner  \(created.ownerUserId)\napikey \(created.apiKey)")
            }
        }
    }
}

struct APIKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apikeys", abstract: "Manage API keys.", subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key for a tenant and print it once.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "The tenant's id.") var tenant: String
        @Flag(name: .customLong("read-only"), help: "The key may only read.") var readOnly = false
        @Flag(help: "Print exactly one JSON object: {\"id\", \"apiKey\", \"readOnly\"}.") var json = false

        func run() async throws {
            let tenantId = try tenantID(tenant)
            let created = try await withDatabase(database) { services, _ in try await services.keys.create(tenant: tenantId, readOnly: readOnly) }
            if json {
                try printJSON(["id": created.record.id.rawValue, "apiKey": created.apiKey, "readOnly": created.record.readOnly])
            } else {
                print("id     \(created.record.id.rawValue)\napikey \(created.apiKey)\naccess \(created.record.readOnly ? "read-only" : "admin")")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's API keys (never their secrets).")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "The tenant's id.") var tenant: String
        @Flag(help: "Print a JSON array.") var json = false

        func run() async throws {
            let tenantId = try tenantID(tenant)
            let keys = try await withDatabase(database) { services, _ in try await services.keys.list(tenant: tenantId) }
            if json {
                let objects: [[String: Any]] = keys.map { key in
                    var object: [String: Any] = [
                        "id": key.id.rawValue, "prefix": key.prefix, "readOnly": key.readOnly, "createdAt": Timestamps.format(key.createdAt),
                    ]
                    object["revokedAt"] = key.revokedAt.map(Timestamps.format) ?? NSNull()
                    return object
                }
                let data = try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            } else {
                for key in keys {
                    let state = key.revokedAt.map { "revoked \(Timestamps.format($0))" } ?? "active"
                    print(
                        "\(key.id)  csk_\(key.prefix)_…  \(key.readOnly ? "read-only" : "admin    ")  created \(Timestamps.format(key.createdAt))  \(state)"
                    )
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key; it stops working on the next request.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The key's id.") var id: String

        func run() async throws {
            guard let keyId = APIKeyID(id) else { throw ValidationError("No API key with id \(id).") }
            let found = try await withDatabase(database) { services, _ in try await services.keys.revoke(keyId) }
            guard found else { throw ValidationError("No API key with id \(id).") }
            print("revoked \(id)")
        }
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill the database with a realistic tenant (for benchmarks), written through the storage layer in large transactions."
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Users in the big tenant (besides its owner).") var users: Int
    @Option(help: "Small tenants of 1,000 users each, created beside it.") var tenants: Int = 0
    @Option(help: "Groups in the big tenant, each granting a role.") var groups: Int = 50
    @Option(name: .customLong("devices-per-user"), help: "Devices of each user who has devices (30% of users).") var devicesPerUser: Int = 1
    @Option(help: "Seed of the pseudo-random data (the same seed gives the same names and shapes).") var seed: UInt64 = 42
    @Flag(help: "Print exactly one JSON object: {\"tenantId\", \"apiKey\", \"users\"}.") var json = false

    func run() async throws {
        guard users >= 0, tenants >= 0, groups >= 0, devicesPerUser >= 0 else { throw ValidationError("counts must not be negative") }
        let began = ContinuousClock.now
        let result = try await withDatabase(database) { services, store in
            let seeder = SQLSeeder(store: store)
            let tenantId = try await seeder.seedTenant(
                name: "Benchmark tenant", ownerEmail: "owner@benchmark.example",
                plan: SeedPlan(users: users, groups: groups, devicesPerUser: devicesPerUser), seed: seed
            ) { done in
                if !json && done % 100_000 == 0 {
                    print("  \(done) users", terminator: "\n")
                    fflush(nil)
                }
            }
            for index in 0..<tenants {
                _ = try await seeder.seedTenant(
                    name: "Small tenant \(index + 1)", ownerEmail: "owner@small\(index + 1).example",
                    plan: SeedPlan(users: 1_000, groups: 5, devicesPerUser: devicesPerUser), seed: seed &+ UInt64(index) &+ 1
                )
            }
            try await seeder.analyze()
            let key = try await services.keys.create(tenant: tenantId, readOnly: false)
            return (tenantId.rawValue, key.apiKey)
        }
        let elapsed = ContinuousClock.now - began
        if json {
            try printJSON(["tenantId": result.0, "apiKey": result.1, "users": users + 1])
        } else {
            print("tenant \(result.0) with \(users + 1) users (and \(tenants) small tenants) in \(elapsed)\napikey \(result.1)")
        }
    }
}
