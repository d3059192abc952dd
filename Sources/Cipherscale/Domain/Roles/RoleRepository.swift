/// Where roles and their holders are read, confined to `context.tenantId`.
public protocol RoleRepository: Sendable {
    /// The tenant's roles, most privileged first.
    func roles(context: OperationContext) async throws -> [Role]
    /// One role, or 404.
    func role(_ id: RoleID, context: OperationContext) async throws -> Role
    /// Users holding a role directly (and through a group when `throughGroups`), oldest first, with the total.
    func holders(of id: RoleID, throughGroups: Bool, limit: Int, offset: Int, context: OperationContext) async throws -> Page<User>
    /// Takes a directly held role from a user.
    func remove(_ id: RoleID, from user: UserID, context: OperationContext) async throws
}
