/// Where users live. Every method is confined to `context.tenantId`; changes run in one
/// transaction that locks the user first, checks ``UserRules`` and `If-Match` on the locked
/// values, writes, and records the audit entry.
public protocol UserRepository: Sendable {
    /// One page of users with the exact number of matches.
    func list(_ query: ListQuery, context: OperationContext) async throws -> Page<User>
    /// One user with roles, groups and devices, or 404.
    func user(_ id: UserID, context: OperationContext) async throws -> User
    /// Creates users all-or-nothing, each with an invitation and its outgoing message.
    func create(_ users: [NewUser], invitations: [NewInvitation], invitationTTL: Millis, context: OperationContext) async throws -> [User]
    /// Edits a user's profile fields.
    func update(_ id: UserID, change: UserProfileChange, context: OperationContext) async throws -> User
    /// Deletes a user; their devices are deactivated and kept without an owner.
    func delete(_ id: UserID, context: OperationContext) async throws
    /// Suspends a user (idempotent); their devices are deactivated.
    func deactivate(_ id: UserID, context: OperationContext) async throws -> User
    /// Restores a deactivated user.
    func reactivate(_ id: UserID, context: OperationContext) async throws -> User
    /// Issues a new invitation to a pending user, superseding earlier ones.
    func reinvite(_ id: UserID, invitation: NewInvitation, invitationTTL: Millis, context: OperationContext) async throws
    /// A user's roles from `source`, most privileged first.
    func roles(of id: UserID, source: RoleSource, context: OperationContext) async throws -> [Role]
    /// Adds and removes direct roles.
    func updateRoles(_ id: UserID, added: [RoleID], removed: [RoleID], context: OperationContext) async throws -> User
    /// Adds a user to a group.
    func addToGroup(_ id: UserID, group: GroupID, context: OperationContext) async throws -> User
    /// Removes a user from a group.
    func removeFromGroup(_ id: UserID, group: GroupID, context: OperationContext) async throws
    /// One page of the users a SCIM filter matches.
    func search(_ query: ScimQuery, context: OperationContext) async throws -> ScimPage<User>
    /// Creates a user as an identity provider states it: usable at once, no invitation, Default group.
    func provision(_ user: ProvisionedUser, context: OperationContext) async throws -> User
    /// Brings a user to a provisioned state (email, names, external id, active) in one transaction.
    func applyProvisioning(_ id: UserID, _ state: ProvisionedUser, context: OperationContext) async throws -> User
}
