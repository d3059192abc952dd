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
    /// One page of the groups a SCIM filter matches; with `allMembers`, every member of each.
    func search(_ query: ScimQuery, allMembers: Bool, context: OperationContext) async throws -> ScimPage<Group>
    /// One group with every member, or 404.
    func groupWithAllMembers(_ id: GroupID, context: OperationContext) async throws -> Group
    /// Creates a group as an identity provider states it, with its first members.
    func provision(_ group: ProvisionedGroup, members: [UserID], context: OperationContext) async throws -> Group
    /// Renames a group and sets its external id (when given) and changes its members, in one transaction.
    func applyProvisioning(_ id: GroupID, group: ProvisionedGroup?, members: [MemberChange], context: OperationContext) async throws -> Group
}
