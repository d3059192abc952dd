/// Where groups live, confined to `context.tenantId`. Changes lock the group, check `If-Match`
/// and ``GroupRules``/``RoleRules`` on the locked values, write, and record the audit entry.
public protocol GroupRepository: Sendable {
    /// One page of groups (without members).
    func list(_ query: ListQuery, context: OperationContext) async throws -> Page<Group>
    /// One group with its roles and first members, or 404.
    func group(_ id: GroupID, context: OperationContext) async throws -> Group
    /// Creates a group.
    func create(_ draft: GroupDraft, context: OperationContext) async throws -> Group
    /// Replaces a group's fields and roles.
    func replace(_ id: GroupID, with draft: GroupDraft, context: OperationContext) async throws -> Group
    /// Deletes a group; members left in no group move to the Default group.
    func delete(_ id: GroupID, context: OperationContext) async throws
}
