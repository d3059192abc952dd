import CipherscaleAPI

extension APIImplementation {
    public func listRoles(_ input: Operations.ListRoles.Input) async throws -> Operations.ListRoles.Output {
        try refuseUnknownQueryParameters([])
        let roles = try await services.roles.list(context: context())
        return .ok(.init(body: .json(roles.map(Components.Schemas.Role.init))))
    }

    public func getRole(_ input: Operations.GetRole.Input) async throws -> Operations.GetRole.Output {
        let role = try await services.roles.role(Validation.pathId(input.path.id, name: "id"), context: context())
        return .ok(.init(body: .json(.init(role))))
    }

    public func listRoleUsers(_ input: Operations.ListRoleUsers.Input) async throws -> Operations.ListRoleUsers.Output {
        try refuseUnknownQueryParameters(["groups", "limit", "offset"])
        let role: RoleID = try Validation.pathId(input.path.id, name: "id")
        let throughGroups = input.query.groups ?? false
        let page = try await services.roles.holders(
            of: role, throughGroups: throughGroups, limit: input.query.limit.map { Int($0) }, offset: input.query.offset.map { Int($0) },
            context: context())
        // RFC 8288: while more holders remain, the request for the next chunk.
        var link: String?
        let next = page.offset + page.items.count
        if !page.items.isEmpty, next < page.total {
            let groups = throughGroups ? "groups=true&" : ""
            link = "<\(RequestScope.current.basePath)/tenants/roles/\(role)/users?\(groups)limit=\(page.limit)&offset=\(next)>; rel=\"next\""
        }
        return .ok(.init(headers: .init(xTotalCount: page.total, link: link), body: .json(page.items.map(UserResource.init))))
    }

    public func removeRoleFromUser(_ input: Operations.RemoveRoleFromUser.Input) async throws -> Operations.RemoveRoleFromUser.Output {
        let role: RoleID = try Validation.pathId(input.path.id, name: "id")
        let user: UserID = try Validation.pathId(input.path.userId, name: "userId")
        try await services.roles.remove(role, from: user, context: context())
        return .noContent(.init())
    }
}
