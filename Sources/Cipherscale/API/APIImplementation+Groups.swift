import CipherscaleAPI

extension APIImplementation {
    public func createGroup(_ input: Operations.CreateGroup.Input) async throws -> Operations.CreateGroup.Output {
        guard case .json(let body) = input.body else { throw DirectoryError.invalid("A JSON request body is required.") }
        let group = try await services.groups.create(GroupInput(body), context: context())
        return .created(.init(headers: .init(eTag: EntityTag.of(group)), body: .json(.init(group))))
    }

    public func listGroups(_ input: Operations.ListGroups.Input) async throws -> Operations.ListGroups.Output {
        let page = try await services.groups.list(listQuery(.groups), context: context())
        return .ok(.init(body: .json(.init(page))))
    }

    public func getGroup(_ input: Operations.GetGroup.Input) async throws -> Operations.GetGroup.Output {
        let group = try await services.groups.group(Validation.pathId(input.path.id, name: "id"), context: context())
        return .ok(.init(headers: .init(eTag: EntityTag.of(group)), body: .json(.init(group))))
    }

    public func updateGroup(_ input: Operations.UpdateGroup.Input) async throws -> Operations.UpdateGroup.Output {
        let id: GroupID = try Validation.pathId(input.path.id, name: "id")
        guard case .json(let body) = input.body else { throw DirectoryError.invalid("A JSON request body is required.") }
        let group = try await services.groups.replace(id, with: GroupInput(body), context: context())
        return .ok(.init(headers: .init(eTag: EntityTag.of(group)), body: .json(.init(group))))
    }

    public func deleteGroup(_ input: Operations.DeleteGroup.Input) async throws -> Operations.DeleteGroup.Output {
        try await services.groups.delete(Validation.pathId(input.path.id, name: "id"), context: context())
        return .noContent(.init())
    }
}

extension GroupInput {
    init(_ body: Components.Schemas.GroupInput) {
        self.init(
            name: body.name, description: body.description, roles: body.roles, maxDevices: body.maxDevices.map { Int($0) },
            isSamlDefaultGroup: body.isSamlDefaultGroup, idpMapping: body.idpMapping
        )
    }
}
