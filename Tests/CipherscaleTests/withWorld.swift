import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import Testing

@testable import Cipherscale

/// Runs `body` against a fresh database with tenants A and B, through the real router and middleware.
/// The invitation, per-key and console sign-in rate limits are off unless given.
func withWorld(
    invitationRateLimit: Int = 0, rateLimit: Int = 0, consoleSignInRateLimit: Int = 0, _ body: @Sendable (TestWorld) async throws -> Void
) async throws {
    var logger = Logger(label: "test")
    logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG"] != nil ? .error : .critical
    let (pool, cleanup) = try await TestDatabase.open(logger: logger)
    do {
        let store = SQLStore(pool: pool)
        let clock = ManualClock()
        let services = makeServices(
            store: store, tokens: InvitationTokens(secret: InvitationTokens.randomSecret()), invitationTTL: 7 * 24 * 3600 * 1000, clock: clock
        )
        let a = try await TestTenant.create("Tenant A", owner: "owner@a.example", services: services)
        let b = try await TestTenant.create("Tenant B", owner: "owner@b.example", services: services)
        let router = try buildRouter(
            services: services, invitationRateLimit: invitationRateLimit, rateLimit: rateLimit, consoleSignInRateLimit: consoleSignInRateLimit)
        let app = Application(router: router, logger: logger)
        try await app.test(.router) { client in
            try await body(TestWorld(services: services, store: store, clock: clock, a: a, b: b, client: client))
        }
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
}
