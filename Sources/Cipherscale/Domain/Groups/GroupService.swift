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
        _ = try await groups.group(id, context: context)
        return try await groups.replace(id, with: GroupRules.draft(input), context: context)
    }

    /// Deletes a group (never the Default group).
    public func delete(_ id: GroupID, context: OperationContext) async throws {
        try await groups.delete(id, context: context)
    }
}
