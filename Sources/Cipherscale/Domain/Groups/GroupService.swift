/// The group operations of every door.
public struct GroupService: Sendable {
    /// Where groups live.
    let groups: any GroupRepository

    /// A service over `groups`.
    public init(groups: any GroupRepository) {
        self.groups = groups
    }

    /// One page of groups.
    public func list(_ query: ListQuery, context: OperationContext) async throws -> Page<Group> {
        try await groups.list(query, context: context)
    }

    /// One group, or 404.
    public func group(_ id: GroupID, context: OperationContext) async throws -> Group {
        try await groups.group(id, context: context)
    }

    /// Creates a group from a checked body.
    public func create(_ input: GroupInput, context: OperationContext) async throws -> Group {
        try await groups.create(GroupRules.draft(input), context: context)
    }

    /// Replaces a group; an unknown group is 404 whatever the body.
    public func replace(_ id: GroupID, with input: GroupInput, context: OperationContext) async throws -> Group {
        let draft = try await InputCheck.run(
            { () throws(DirectoryError) in try GroupRules.draft(input) }, resolving: { _ = try await groups.group(id, context: context) })
        return try await groups.replace(id, with: draft, context: context)
    }

    /// One page of the groups a SCIM filter matches; with `allMembers`, every member of each.
    public func search(_ query: ScimQuery, allMembers: Bool, context: OperationContext) async throws -> ScimPage<Group> {
        try await groups.search(query, allMembers: allMembers, context: context)
    }

    /// One group with every member, or 404.
    public func groupWithAllMembers(_ id: GroupID, context: OperationContext) async throws -> Group {
        try await groups.groupWithAllMembers(id, context: context)
    }

    /// Creates a group as an identity provider states it (SCIM), with its first members.
    public func provision(_ group: ProvisionedGroup, members: [UserID], context: OperationContext) async throws -> Group {
        try await groups.provision(try GroupRules.checkProvisioned(group), members: members, context: context)
    }

    /// Renames a group (when `group` is given) and changes its members, in one transaction.
    public func applyProvisioning(_ id: GroupID, group: ProvisionedGroup?, members: [MemberChange], context: OperationContext) async throws
        -> Group
    {
        let checked = try await InputCheck.run(
            { () throws(DirectoryError) in try group.map { group throws(DirectoryError) in try GroupRules.checkProvisioned(group) } },
            resolving: { _ = try await groups.group(id, context: context) })
        return try await groups.applyProvisioning(id, group: checked, members: members, context: context)
    }

    /// Deletes a group (never the Default group).
    public func delete(_ id: GroupID, context: OperationContext) async throws {
        try await groups.delete(id, context: context)
    }
}
