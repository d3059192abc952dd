import ArgumentParser
import Cipherscale
import Foundation
import Hummingbird
import Logging

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
            let created = try await withDatabase(database) { try await $0.services.keys.create(tenant: tenantId, readOnly: readOnly) }
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
            let keys = try await withDatabase(database) { try await $0.services.keys.list(tenant: tenantId) }
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
            let found = try await withDatabase(database) { try await $0.services.keys.revoke(keyId) }
            guard found else { throw ValidationError("No API key with id \(id).") }
            print("revoked \(id)")
        }
    }
}
