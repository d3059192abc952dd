/// The user operations of every door (REST, command line, later console and SCIM): input rules
/// are checked here, rules on stored state by the repository on the locked rows.
public struct UserService: Sendable {
    /// Where users live.
    let users: any UserRepository
    /// Derives invitation tokens from invitation ids.
    let tokens: InvitationTokens
    /// How long an invitation stays valid.
    let invitationTTL: Millis
    /// The largest batch ``create(_:context:)`` accepts.
    public static let maxBatch = 100

    /// A service over `users`.
    public init(users: any UserRepository, tokens: InvitationTokens, invitationTTL: Millis) {
        self.users = users
        self.tokens = tokens
        self.invitationTTL = invitationTTL
    }

    /// Validates and creates a batch all-or-nothing. Errors name each item's index.
    public func create(_ inputs: [CreateUserInput], context: OperationContext) async throws -> [User] {
        guard !inputs.isEmpty else { throw DirectoryError.invalid("The array must hold at least one user.") }
        guard inputs.count <= Self.maxBatch else {
            throw DirectoryError.invalid("At most \(Self.maxBatch) users can be created in one call; got \(inputs.count).")
        }
        var errors: [FieldError] = []
        var seen: [String: Int] = [:]
        var users: [NewUser] = []
        for (index, input) in inputs.enumerated() {
            let email = FieldLocation.body(item: index, field: "email")
            if input.mistypedFields.contains("email") {
                errors.append(FieldError(email, "must be a string"))
            } else if let address = input.email {
                if !Validation.isValidEmail(address) {
                    errors.append(FieldError(email, "is not a valid email address"))
                } else if let first = seen[address.lowercased()] {
                    errors.append(FieldError(email, "duplicates the email of item \(first) in this batch"))
                } else {
                    seen[address.lowercased()] = index
                }
            } else {
                errors.append(FieldError(email, "is required"))
            }
            var groups: [GroupID] = []
            if input.mistypedFields.contains("groups") {
                errors.append(FieldError(.body(item: index, field: "groups"), "must be an array of group ids"))
            } else if let given = input.groups {
                groups = Validation.bodyIds(given, item: index, field: "groups", errors: &errors)
            } else {
                errors.append(FieldError(.body(item: index, field: "groups"), "is required (an empty array means the Default group)"))
            }
            users.append(NewUser(email: input.email ?? "", groupIds: groups))
        }
        if !errors.isEmpty { throw DirectoryError.invalid("Some users are not valid; nothing was created.", errors) }
        let invitations = users.map { _ in tokens.newInvitation() }
        return try await self.users.create(users, invitations: invitations, invitationTTL: invitationTTL, context: context)
    }

    /// One page of users.
    public func list(_ query: ListQuery, context: OperationContext) async throws -> Page<User> {
        try await users.list(query, context: context)
    }

    /// One user, or 404.
    public func user(_ id: UserID, context: OperationContext) async throws -> User {
        try await users.user(id, context: context)
    }

    /// Edits first name, last name, image and device limit; nil leaves a field as it is, "" clears it.
    /// An unknown user is 404 whatever the body.
    public func update(_ id: UserID, change: UserProfileChange, context: OperationContext) async throws -> User {
        try await InputCheck.run(
            { () throws(DirectoryError) in
                var errors: [FieldError] = []
                Validation.checkLength(change.firstName, limit: Validation.maxNameLength, field: "firstName", errors: &errors)
                Validation.checkLength(change.lastName, limit: Validation.maxNameLength, field: "lastName", errors: &errors)
                Validation.checkLength(change.image, limit: Validation.maxImageLength, field: "image", errors: &errors)
                if let limit = change.maxDevices, let value = limit, value < 0 {
                    errors.append(FieldError(.body(field: "maxDevices"), "must not be negative"))
                }
                if !errors.isEmpty { throw DirectoryError.invalid("The user is not valid.", errors) }
            }, resolving: { _ = try await users.user(id, context: context) })
        return try await users.update(id, change: change, context: context)
    }

    /// Deletes a user (never the owner).
    public func delete(_ id: UserID, context: OperationContext) async throws {
        try await users.delete(id, context: context)
    }

    /// Deactivates a user (never the owner).
    public func deactivate(_ id: UserID, context: OperationContext) async throws -> User {
        try await users.deactivate(id, context: context)
    }

    /// Reactivates a deactivated user.
    public func reactivate(_ id: UserID, context: OperationContext) async throws -> User {
        try await users.reactivate(id, context: context)
    }

    /// Sends a pending user a new invitation.
    public func reinvite(_ id: UserID, context: OperationContext) async throws {
        try await users.reinvite(id, invitation: tokens.newInvitation(), invitationTTL: invitationTTL, context: context)
    }

    /// A user's roles: direct only (`rolesOnly`), through groups only (`groupsOnly`), or effective.
    public func roles(of id: UserID, rolesOnly: Bool, groupsOnly: Bool, context: OperationContext) async throws -> [Role] {
        if rolesOnly && groupsOnly {
            _ = try await users.user(id, context: context)
            throw DirectoryError.invalid(
                "rolesOnly and groupsOnly cannot both be true.", [FieldError(.query("rolesOnly"), "conflicts with groupsOnly")]
            )
        }
        let source: RoleSource = rolesOnly ? .direct : groupsOnly ? .groups : .effective
        return try await users.roles(of: id, source: source, context: context)
    }

    /// Adds and removes direct roles; malformed ids or one id in both lists is 400.
    public func updateRoles(_ id: UserID, added: [String], removed: [String], context: OperationContext) async throws -> User {
        let (addedIds, removedIds) = try await InputCheck.run(
            { () throws(DirectoryError) -> ([RoleID], [RoleID]) in
                if added.isEmpty && removed.isEmpty {
                    throw DirectoryError.invalid(
                        "Nothing to change: send at least one role id in addedRoles or removedRoles.",
                        [FieldError(.body(field: "addedRoles"), "addedRoles and removedRoles are both empty")]
                    )
                }
                var errors: [FieldError] = []
                let addedIds: [RoleID] = Validation.bodyIds(added, field: "addedRoles", errors: &errors)
                let removedIds: [RoleID] = Validation.bodyIds(removed, field: "removedRoles", errors: &errors)
                for (index, roleId) in removedIds.enumerated() where addedIds.contains(roleId) {
                    errors.append(FieldError(.body(field: "removedRoles", element: index), "role \(roleId) is also in addedRoles"))
                }
                if !errors.isEmpty { throw DirectoryError.invalid("The role changes are not valid.", errors) }
                return (addedIds, removedIds)
            }, resolving: { _ = try await users.user(id, context: context) })
        return try await users.updateRoles(id, added: addedIds, removed: removedIds, context: context)
    }

    /// Adds a user to a group (the group id comes from the body).
    public func addToGroup(_ id: UserID, groupId: String, context: OperationContext) async throws -> User {
        let group = try await InputCheck.run(
            { () throws(DirectoryError) -> GroupID in
                guard let group = GroupID(groupId) else {
                    throw DirectoryError.invalid("groupId is not a UUID.", [FieldError(.body(field: "groupId"), "'\(groupId)' is not a UUID")])
                }
                return group
            }, resolving: { _ = try await users.user(id, context: context) })
        return try await users.addToGroup(id, group: group, context: context)
    }

    /// One page of the users a SCIM filter matches.
    public func search(_ query: ScimQuery, context: OperationContext) async throws -> ScimPage<User> {
        try await users.search(query, context: context)
    }

    /// Creates a user as an identity provider states it (SCIM): active at once, no invitation mail.
    public func provision(_ user: ProvisionedUser, context: OperationContext) async throws -> User {
        try UserRules.checkProvisioned(user)
        return try await users.provision(user, context: context)
    }

    /// Brings a user to the state an identity provider states (SCIM PUT, or a PATCH applied to the current state).
    public func applyProvisioning(_ id: UserID, _ state: ProvisionedUser, context: OperationContext) async throws -> User {
        try await InputCheck.run(
            { () throws(DirectoryError) in try UserRules.checkProvisioned(state) }, resolving: { _ = try await users.user(id, context: context) })
        return try await users.applyProvisioning(id, state, context: context)
    }

    /// Removes a user from a group.
    public func removeFromGroup(_ id: UserID, group: GroupID, context: OperationContext) async throws {
        try await users.removeFromGroup(id, group: group, context: context)
    }
}
