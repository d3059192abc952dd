/// The rules on users that depend on stored state, as pure functions of the locked values.
/// Repositories call them inside the transaction; `RulesTests` checks each without a database.
public enum UserRules {
    /// The longest external id an identity provider may give a user or group.
    public static let maxExternalIdLength = 512

    /// A provisioned user's fields: a valid email, names and external id within their lengths.
    public static func checkProvisioned(_ user: ProvisionedUser) throws(DirectoryError) {
        var errors: [FieldError] = []
        if !Validation.isValidEmail(user.email) { errors.append(FieldError(.body(field: "email"), "is not a valid email address")) }
        Validation.checkLength(user.firstName, limit: Validation.maxNameLength, field: "firstName", errors: &errors)
        Validation.checkLength(user.lastName, limit: Validation.maxNameLength, field: "lastName", errors: &errors)
        Validation.checkLength(user.externalId, limit: maxExternalIdLength, field: "externalId", errors: &errors)
        if !errors.isEmpty { throw DirectoryError.invalid("The user is not valid.", errors) }
    }

    /// The owner is never deleted.
    public static func checkCanDelete(_ user: UserRecord) throws(DirectoryError) {
        if user.isOwner { throw DirectoryError.forbidden("The tenant owner cannot be deleted.") }
    }

    /// The owner is never deactivated.
    public static func checkCanDeactivate(_ user: UserRecord) throws(DirectoryError) {
        if user.isOwner { throw DirectoryError.forbidden("The tenant owner cannot be deactivated.") }
    }

    /// Only a deactivated user can be reactivated.
    public static func checkCanReactivate(_ user: UserRecord) throws(DirectoryError) {
        guard user.status == .inactive else {
            throw DirectoryError.conflict("The user is not deactivated (status is \(user.status.rawValue)).")
        }
    }

    /// What a reactivated user becomes: active once they accepted an invitation, else pending again.
    public static func reactivatedStatus(invitationAccepted: Bool) -> UserStatus {
        invitationAccepted ? .active : .pending
    }

    /// Only a pending user can be invited again.
    public static func checkCanReinvite(_ user: UserRecord) throws(DirectoryError) {
        guard user.status == .pending else {
            throw DirectoryError.conflict("Only pending users can be invited again (status is \(user.status.rawValue)).")
        }
    }

    /// Only a pending user can accept an invitation.
    public static func checkCanAcceptInvitation(_ user: UserRecord) throws(DirectoryError) {
        guard user.status == .pending else {
            throw DirectoryError.conflict("The account is \(user.status.rawValue); the invitation cannot be accepted.")
        }
    }

    /// A user joins a group they are not in yet.
    public static func checkCanJoin(_ group: GroupID, memberships: [GroupID]) throws(DirectoryError) {
        if memberships.contains(group) { throw DirectoryError.conflict("The user is already a member of this group.") }
    }

    /// A user leaves a group they are in, and never their last one.
    public static func checkCanLeave(_ group: GroupID, memberships: [GroupID]) throws(DirectoryError) {
        guard memberships.contains(group) else { throw DirectoryError.notFound("The user is not a member of this group.") }
        guard memberships.count > 1 else {
            throw DirectoryError.conflict("A user must belong to at least one group; this is the user's last group.")
        }
    }

    /// Batch items naming groups that do not exist in the tenant (422), each by item and position.
    public static func unknownGroups(_ users: [NewUser], known: Set<GroupID>) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, user) in users.enumerated() {
            for (position, group) in user.groupIds.enumerated() where !known.contains(group) {
                errors.append(FieldError(.body(item: index, field: "groups", element: position), "no group with id \(group) exists in the tenant"))
            }
        }
        return errors
    }

    /// Batch items whose email is already used in the tenant (409), compared without case.
    public static func takenEmails(_ users: [NewUser], existingKeys: Set<String>) -> [FieldError] {
        users.enumerated().filter { existingKeys.contains($0.element.email.lowercased()) }.map {
            FieldError(.body(item: $0.offset, field: "email"), "a user with this email already exists")
        }
    }
}
