/// The role operations of every door.
public struct RoleService: Sendable {
    /// Where roles live.
    let roles: any RoleRepository

    /// A service over `roles`.
    public init(roles: any RoleRepository) {
        self.roles = roles
    }

    /// The tenant's roles, most privileged first.
    public func list(context: OperationContext) async throws -> [Role] {
        try await roles.roles(context: context)
    }

    /// One role, or 404.
    public func role(_ id: RoleID, context: OperationContext) async throws -> Role {
        try await roles.role(id, context: context)
    }

    /// Holders of a role, at most 100 per call (`limit`, `offset` chunk the rest), with the total.
    public func holders(of id: RoleID, throughGroups: Bool, limit: Int?, offset: Int?, context: OperationContext) async throws -> Page<User> {
        var errors: [FieldError] = []
        if let limit, limit < 0 { errors.append(FieldError(.query("limit"), "must be a non-negative integer")) }
        if let offset, offset < 0 { errors.append(FieldError(.query("offset"), "must be a non-negative integer")) }
        if let offset, offset > ListQuery.maxOffset { errors.append(FieldError(.query("offset"), "must be at most \(ListQuery.maxOffset)")) }
        if !errors.isEmpty { throw DirectoryError.invalid("The list parameters are not valid.", errors) }
        return try await roles.holders(
            of: id, throughGroups: throughGroups, limit: min(limit ?? ListQuery.maxLimit, ListQuery.maxLimit), offset: offset ?? 0,
            context: context
        )
    }

    /// Takes a directly held role from a user (never OWNER).
    public func remove(_ id: RoleID, from user: UserID, context: OperationContext) async throws {
        try await roles.remove(id, from: user, context: context)
    }
}
