import Logging

/// The directory opened on the configured database: its services, and the storage they run on.
///
/// What every entry point starts from (the server, each command). The storage stays inside: entry
/// points call services, and never see the pool or SQL. `close()` closes the database.
public struct DirectoryRuntime: Sendable {
    /// Every service of the directory.
    public let services: DirectoryServices
    /// The storage the services run on.
    let store: SQLStore

    /// Opens and migrates the configured database and builds the services over it.
    public static func open(_ configuration: AppConfiguration, logger: Logger, clock: any DirectoryClock = SystemClock()) async throws
        -> DirectoryRuntime
    {
        let pool = try await openDatabase(configuration, logger: logger)
        do {
            let store = SQLStore(pool: pool, onlineWindow: configuration.deviceOnlineWindow)
            return DirectoryRuntime(services: try await makeServices(store: store, configuration: configuration, clock: clock), store: store)
        } catch {
            await pool.close()
            throw error
        }
    }

    /// Closes the database.
    public func close() async {
        await store.pool.close()
    }

    /// Fills a new benchmark tenant (see ``SQLSeeder``); returns its id.
    public func seedTenant(
        name: String, ownerEmail: String, plan: SeedPlan, seed: UInt64, progress: @Sendable (Int) -> Void = { _ in }
    ) async throws -> TenantID {
        try await SQLSeeder(store: store).seedTenant(name: name, ownerEmail: ownerEmail, plan: plan, seed: seed, progress: progress)
    }

    /// Refreshes the planner's statistics after seeding.
    public func analyze() async throws {
        try await SQLSeeder(store: store).analyze()
    }
}
