import ArgumentParser
import Cipherscale
import Foundation
import Hummingbird
import Logging

/// Runs `body` with the directory opened on the migrated database and closes it afterwards.
func withDatabase<T>(_ options: DatabaseOptions, quiet: Bool = true, _ body: (DirectoryRuntime) async throws -> T) async throws -> T {
    var configuration = try options.configuration()
    if quiet && options.logLevel == nil && ProcessInfo.processInfo.environment["LOG_LEVEL"] == nil { configuration.logLevel = .warning }
    let runtime = try await DirectoryRuntime.open(configuration, logger: options.logger(configuration))
    do {
        let result = try await body(runtime)
        await runtime.close()
        return result
    } catch {
        await runtime.close()
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
