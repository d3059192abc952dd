import Foundation
import SQLKit

/// What `cipherscale seed` fills a tenant with.
public struct SeedPlan: Sendable {
    public var users: Int
    public var groups: Int
    public var devicesPerUser: Int
    /// From this many users on, SQLite's secondary indexes are dropped for the load and rebuilt after it.
    public var deferIndexesFrom: Int

    public init(users: Int, groups: Int, devicesPerUser: Int, deferIndexesFrom: Int = 100_000) {
        self.users = users
        self.groups = groups
        self.devicesPerUser = devicesPerUser
        self.deferIndexesFrom = deferIndexesFrom
    }
}
