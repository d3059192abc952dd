/// The rules on roles, as pure functions of the tenant's roles. `RulesTests` checks each without a database.
public enum RoleRules {
    /// Ids in `ids` (body field `field`) that are not roles of the tenant, each as a 422 field error.
    public static func unknownRoles(_ ids: [RoleID], field: String, roles: [RoleID: Role]) -> [FieldError] {
        ids.enumerated().filter { roles[$0.element] == nil }.map {
            FieldError(.body(field: field, element: $0.offset), "no role with id \($0.element) exists in the tenant")
        }
    }

    /// Checks roles to assign or take away directly: unknown ones 422, OWNER 403.
    public static func checkAssignable(added: [RoleID], removed: [RoleID], roles: [RoleID: Role]) throws(DirectoryError) {
        let errors = unknownRoles(added, field: "addedRoles", roles: roles) + unknownRoles(removed, field: "removedRoles", roles: roles)
        if !errors.isEmpty { throw DirectoryError.unknownReference("Some roles do not exist.", errors) }
        if (added + removed).contains(where: { roles[$0]?.type == .owner }) {
            throw DirectoryError.forbidden("The OWNER role cannot be assigned or removed through the API.")
        }
    }

    /// Checks the roles a group grants: unknown ones 422, OWNER 403.
    public static func checkGrantable(_ ids: [RoleID], roles: [RoleID: Role]) throws(DirectoryError) {
        let errors = unknownRoles(ids, field: "roles", roles: roles)
        if !errors.isEmpty { throw DirectoryError.unknownReference("Some roles do not exist.", errors) }
        if ids.contains(where: { roles[$0]?.type == .owner }) {
            throw DirectoryError.forbidden("The OWNER role cannot be granted through a group.")
        }
    }

    /// A direct role can be taken away, except OWNER.
    public static func checkRemovable(_ role: Role) throws(DirectoryError) {
        if role.type == .owner { throw DirectoryError.forbidden("The OWNER role cannot be removed through the API.") }
    }

    /// Roles in privilege order (most privileged first), then by id.
    public static func sorted(_ roles: some Sequence<Role>) -> [Role] {
        roles.sorted { ($0.type.rank, $0.id) < ($1.type.rank, $1.id) }
    }
}
