import ArgumentParser
import Cipherscale
import Foundation
import Hummingbird
import Logging

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
            let created = try await withDatabase(database) { try await $0.services.tenants.create(name: name, ownerEmail: ownerEmail) }
            if json {
                try printJSON(["tenantId": created.tenantId.rawValue, "ownerUserId": created.ownerUserId.rawValue, "apiKey": created.apiKey])
            } else {
                print("tenant \(created.tenantId)\nowner  \(created.ownerUserId)\napikey \(created.apiKey)")
            }
        }
    }
}
