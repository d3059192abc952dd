import SQLKit

/// How the user list finds its totals and chooses its plan for group and role filters.
extension SQLUserRepository {
    /// Whether the query's group and role filters leave few enough users that reading them by id and
    /// sorting beats walking the sort index: the fewest members any one of those filters allows (an
    /// upper bound from the groups' member counters and the direct holders of the roles) is below
    /// ``orderedSearchScanLimit``. Not with a search, which has its own plan.
    func relationsFewEnough(_ db: any SQLDatabase, query: ListQuery, tenantId: String) async throws -> Bool {
        guard query.search == nil else { return false }
        var fewest: Int?
        for filter in query.filters where filter.op == .eq || filter.op == .in {
            let ids: [any Encodable & Sendable] = filter.values.map(\.bindable)
            let bound: Int
            switch filter.field {
            case "groups.id":
                bound =
                    try await db.raw(
                        """
                        SELECT CAST(COALESCE(SUM(member_count), 0) AS BIGINT) AS n FROM directory_groups
                        WHERE tenant_id = \(bind: tenantId) AND id IN (\(binds: ids))
                        """
                    ).first()?.decode(column: "n", as: Int.self) ?? 0
            case "roles.id":
                bound = try await roleHolders(db, roleIds: ids, tenantId: tenantId)
            default: continue
            }
            fewest = min(fewest ?? bound, bound)
        }
        guard let fewest else { return false }
        return fewest <= Self.orderedSearchScanLimit
    }

    /// How many users of the tenant hold any of the roles (exact for one role, an upper bound for several).
    func roleHolders(_ db: any SQLDatabase, roleIds: [any Encodable & Sendable], tenantId: String) async throws -> Int {
        try await db.raw(
            """
            SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) AS n FROM roles r
            JOIN user_role_counts c ON c.tenant_id = r.tenant_id AND c.bit = \(unsafeRaw: AddRoleMasks.bit(of: "r.type"))
            WHERE r.tenant_id = \(bind: tenantId) AND r.id IN (\(binds: roleIds))
            """
        ).first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
