import ArgumentParser
import Cipherscale
import Foundation
import Hummingbird
import Logging

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
        let result = try await withDatabase(database) { runtime in
            let tenantId = try await runtime.seedTenant(
                name: "Benchmark tenant", ownerEmail: "owner@benchmark.example",
                plan: SeedPlan(users: users, groups: groups, devicesPerUser: devicesPerUser), seed: seed
            ) { done in
                if !json && done % 100_000 == 0 {
                    print("  \(done) users", terminator: "\n")
                    fflush(nil)
                }
            }
            for index in 0..<tenants {
                _ = try await runtime.seedTenant(
                    name: "Small tenant \(index + 1)", ownerEmail: "owner@small\(index + 1).example",
                    plan: SeedPlan(users: 1_000, groups: 5, devicesPerUser: devicesPerUser), seed: seed &+ UInt64(index) &+ 1
                )
            }
            try await runtime.analyze()
            let key = try await runtime.services.keys.create(tenant: tenantId, readOnly: false)
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
