import ArgumentParser
import Cipherscale
import Foundation
import Hummingbird
import Logging

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
