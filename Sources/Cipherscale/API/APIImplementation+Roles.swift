import CipherscaleAPI

extension APIImplementation {
    public func listRoles(_ input: Operations.ListRoles.Input) async throws -> Operations.ListRoles.Output {
        let roles = try await directory.roles(RequestScope.principal())
        return .ok(.init(body: .json(roles.map(Components.Schemas.Role.init))))
    }

    public func getRole(_ input: Operations.GetRole.Input) async throws -> Operations.GetRole.Output {
        let role = try await directory.role(RequestScope.principal(), id: input.path.id)
        return .ok(.init(body: .json(.init(role))))
    }

    public func listRoleUsers(_ input: Operations.ListRoleUsers.Input) async throws -> Operations.ListRoleUsers.Output {
        let page = try await directory.roleUsers(
            RequestScope.principal(), id: input.path.id, throughGroups: input.query.groups ?? false,
            limit: input.query.limit, offset: input.query.offset
        )
        return .ok(.init(headers: .init(xTotalCount: page.total), body: .json(page.items.map(UserResource.init))))
    }

    public func removeRoleFromUser(_ input: Operations.RemoveRoleFromUser.Input) async throws -> Operations.RemoveRoleFromUser.Output {
        try await directory.removeRole(RequestScope.principal(), roleId: input.path.id, userId: input.path.userId)
        return .noContent(.init())
    }
}
