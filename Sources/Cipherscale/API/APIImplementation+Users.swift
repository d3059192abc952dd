import CipherscaleAPI

extension APIImplementation {
    public func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        let page = try await directory.listUsers(RequestScope.principal(), rawQuery: RequestScope.current.rawQuery)
        return .ok(.init(body: .json(.init(page))))
    }

    public func createUsers(_ input: Operations.CreateUsers.Input) async throws -> Operations.CreateUsers.Output {
        guard case .json(let payload) = input.body else { throw DirectoryError.invalid("A JSON request body is required.") }
        let principal = try RequestScope.principal()
        switch payload {
        case .CreateUser(let one):
            let users = try await directory.createUsers(principal, [CreateUserInput(one)], batch: false)
            return .created(.init(body: .json(.User(UserResource(users[0])))))
        case .case2(let many):
            let users = try await directory.createUsers(principal, many.map(CreateUserInput.init), batch: true)
            return .created(.init(body: .json(.case2(users.map(UserResource.init)))))
        }
    }

    public func getUser(_ input: Operations.GetUser.Input) async throws -> Operations.GetUser.Output {
        let user = try await directory.user(RequestScope.principal(), id: input.path.id)
        return .ok(.init(headers: .init(eTag: EntityTag.of(user)), body: .json(UserResource(user))))
    }

    public func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        guard case .json(let body) = input.body else { throw DirectoryError.invalid("A JSON request body is required.") }
        let maxDevices: Int?? =
            switch body.maxDevices {
            case .unchanged: nil
            case .clear: .some(nil)
            case .set(let value): .some(value)
            }
        let change = UserProfileChange(firstName: body.firstName, lastName: body.lastName, image: body.image, maxDevices: maxDevices)
        let user = try await directory.updateUser(RequestScope.principal(), id: input.path.id, change: change)
        return .ok(.init(headers: .init(eTag: EntityTag.of(user)), body: .json(UserResource(user))))
    }

    public func deleteUser(_ input: Operations.DeleteUser.Input) async throws -> Operations.DeleteUser.Output {
        try await directory.deleteUser(RequestScope.principal(), id: input.path.id)
        return .noContent(.init())
    }

    public func deactivateUser(_ input: Operations.DeactivateUser.Input) async throws -> Operations.DeactivateUser.Output {
        let user = try await directory.deactivateUser(RequestScope.principal(), id: input.path.id)
        return .ok(.init(headers: .init(eTag: EntityTag.of(user)), body: .json(UserResource(user))))
    }

    public func reactivateUser(_ input: Operations.ReactivateUser.Input) async throws -> Operations.ReactivateUser.Output {
        let user = try await directory.reactivateUser(RequestScope.principal(), id: input.path.id)
        return .created(.init(headers: .init(eTag: EntityTag.of(user)), body: .json(UserResource(user))))
    }

    public func inviteUser(_ input: Operations.InviteUser.Input) async throws -> Operations.InviteUser.Output {
        try await directory.reinviteUser(RequestScope.principal(), id: input.path.id)
        return .accepted(.init())
    }

    public func listUserRoles(_ input: Operations.ListUserRoles.Input) async throws -> Operations.ListUserRoles.Output {
        let roles = try await directory.userRoles(
            RequestScope.principal(), id: input.path.id, rolesOnly: input.query.rolesOnly ?? false, groupsOnly: input.query.groupsOnly ?? false
        )
        return .ok(.init(body: .json(roles.map(Components.Schemas.Role.init))))
    }

    public func updateUserRoles(_ input: Operations.UpdateUserRoles.Input) async throws -> Operations.UpdateUserRoles.Output {
        guard case .json(let body) = input.body else { throw DirectoryError.invalid("A JSON request body is required.") }
        let user = try await directory.updateUserRoles(
            RequestScope.principal(), id: input.path.id, added: body.addedRoles, removed: body.removedRoles
        )
        return .ok(.init(headers: .init(eTag: EntityTag.of(user)), body: .json(UserResource(user))))
    }

    public func addUserToGroup(_ input: Operations.AddUserToGroup.Input) async throws -> Operations.AddUserToGroup.Output {
        guard case .json(let body) = input.body else { throw DirectoryError.invalid("A JSON request body is required.") }
        let user = try await directory.addUserToGroup(RequestScope.principal(), id: input.path.id, groupId: body.groupId)
        return .created(.init(headers: .init(eTag: EntityTag.of(user)), body: .json(UserResource(user))))
    }

    public func removeUserFromGroup(_ input: Operations.RemoveUserFromGroup.Input) async throws -> Operations.RemoveUserFromGroup.Output {
        try await directory.removeUserFromGroup(RequestScope.principal(), id: input.path.id, groupId: input.path.groupId)
        return .noContent(.init())
    }
}

extension CreateUserInput {
    init(_ body: Components.Schemas.CreateUser) {
        self.init(email: body.email, groups: body.groups, mistypedFields: body.mistypedFields)
    }
}
