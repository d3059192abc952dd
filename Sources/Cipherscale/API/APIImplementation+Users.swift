import CipherscaleAPI

extension APIImplementation {
    public func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        .ok(.init(body: .json(.init(try await readUsers()))))
    }

    /// The page of users the current request's query asks for (also answered by ``DirectUserReadsMiddleware``).
    func readUsers() async throws -> Page<User> {
        try await services.users.list(listQuery(.users), context: context())
    }

    public func createUsers(_ input: Operations.CreateUsers.Input) async throws -> Operations.CreateUsers.Output {
        guard case .json(let payload) = input.body else { throw DirectoryError.invalid("A JSON request body is required.") }
        let context = try context()
        switch payload {
        case .CreateUser(let one):
            do {
                let users = try await services.users.create([CreateUserInput(one)], context: context)
                return .created(.init(body: .json(.User(UserResource(users[0])))))
            } catch let error as DirectoryError {
                // One object was sent, not a batch: its fields are not numbered.
                throw error.outsideBatch
            }
        case .case2(let many):
            let users = try await services.users.create(many.map(CreateUserInput.init), context: context)
            return .created(.init(body: .json(.case2(users.map(UserResource.init)))))
        }
    }

    public func getUser(_ input: Operations.GetUser.Input) async throws -> Operations.GetUser.Output {
        let user = try await readUser(id: input.path.id)
        return .ok(.init(headers: .init(eTag: EntityTag.of(user)), body: .json(UserResource(user))))
    }

    /// The user a path names (also answered by ``DirectUserReadsMiddleware``).
    func readUser(id: String) async throws -> User {
        try await services.users.user(Validation.pathId(id, name: "id"), context: context())
    }

    public func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        let id: UserID = try Validation.pathId(input.path.id, name: "id")
        guard case .json(let body) = input.body else { throw DirectoryError.invalid("A JSON request body is required.") }
        let maxDevices: Int?? =
            switch body.maxDevices {
            case .unchanged: nil
            case .clear: .some(nil)
            case .set(let value): .some(value)
            }
        let change = UserProfileChange(firstName: body.firstName, lastName: body.lastName, image: body.image, maxDevices: maxDevices)
        let user = try await services.users.update(id, change: change, context: context())
        return .ok(.init(headers: .init(eTag: EntityTag.of(user)), body: .json(UserResource(user))))
    }

    public func deleteUser(_ input: Operations.DeleteUser.Input) async throws -> Operations.DeleteUser.Output {
        try await services.users.delete(Validation.pathId(input.path.id, name: "id"), context: context())
        return .noContent(.init())
    }

    public func deactivateUser(_ input: Operations.DeactivateUser.Input) async throws -> Operations.DeactivateUser.Output {
        let user = try await services.users.deactivate(Validation.pathId(input.path.id, name: "id"), context: context())
        return .ok(.init(headers: .init(eTag: EntityTag.of(user)), body: .json(UserResource(user))))
    }

    public func reactivateUser(_ input: Operations.ReactivateUser.Input) async throws -> Operations.ReactivateUser.Output {
        let user = try await services.users.reactivate(Validation.pathId(input.path.id, name: "id"), context: context())
        return .created(.init(headers: .init(eTag: EntityTag.of(user)), body: .json(UserResource(user))))
    }

    public func inviteUser(_ input: Operations.InviteUser.Input) async throws -> Operations.InviteUser.Output {
        try await services.users.reinvite(Validation.pathId(input.path.id, name: "id"), context: context())
        return .accepted(.init())
    }

    public func listUserRoles(_ input: Operations.ListUserRoles.Input) async throws -> Operations.ListUserRoles.Output {
        try refuseUnknownQueryParameters(["rolesOnly", "groupsOnly"])
        let roles = try await services.users.roles(
            of: Validation.pathId(input.path.id, name: "id"), rolesOnly: input.query.rolesOnly ?? false,
            groupsOnly: input.query.groupsOnly ?? false, context: context()
        )
        return .ok(.init(body: .json(roles.map(Components.Schemas.Role.init))))
    }

    public func updateUserRoles(_ input: Operations.UpdateUserRoles.Input) async throws -> Operations.UpdateUserRoles.Output {
        let id: UserID = try Validation.pathId(input.path.id, name: "id")
        guard case .json(let body) = input.body else { throw DirectoryError.invalid("A JSON request body is required.") }
        let user = try await services.users.updateRoles(id, added: body.addedRoles ?? [], removed: body.removedRoles ?? [], context: context())
        return .ok(.init(headers: .init(eTag: EntityTag.of(user)), body: .json(UserResource(user))))
    }

    public func addUserToGroup(_ input: Operations.AddUserToGroup.Input) async throws -> Operations.AddUserToGroup.Output {
        let id: UserID = try Validation.pathId(input.path.id, name: "id")
        let fromBody: String? = if case .json(let body) = input.body { body.groupId } else { nil }
        // The published contract documents no body: the group may come in the query instead.
        let groupId: String
        switch (input.query.groupId, fromBody) {
        case (nil, nil):
            throw DirectoryError.invalid(
                "Name the group: the groupId query parameter or a JSON body {\"groupId\": ...}.",
                [FieldError(.body(field: "groupId"), "is required, in the body or as the groupId query parameter")])
        case (let query?, let body?) where (Identifiers.canonical(query) ?? query) != (Identifiers.canonical(body) ?? body):
            throw DirectoryError.invalid(
                "The groupId query parameter and the body's groupId name different groups; send one, or the same in both.",
                [FieldError(.query("groupId"), "differs from the body's groupId")])
        case (let query?, _): groupId = query
        case (nil, let body?): groupId = body
        }
        let user = try await services.users.addToGroup(id, groupId: groupId, context: context())
        return .created(.init(headers: .init(eTag: EntityTag.of(user)), body: .json(UserResource(user))))
    }

    public func removeUserFromGroup(_ input: Operations.RemoveUserFromGroup.Input) async throws -> Operations.RemoveUserFromGroup.Output {
        let id: UserID = try Validation.pathId(input.path.id, name: "id")
        let group: GroupID = try Validation.pathId(input.path.groupId, name: "groupId")
        try await services.users.removeFromGroup(id, group: group, context: context())
        return .noContent(.init())
    }
}

extension CreateUserInput {
    init(_ body: Components.Schemas.CreateUser) {
        self.init(email: body.email, groups: body.groups, mistypedFields: body.mistypedFields)
    }
}
