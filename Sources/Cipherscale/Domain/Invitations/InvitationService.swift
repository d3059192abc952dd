/// The invitation operations: the link's owner (the token is the credential) and the admin's view.
public struct InvitationService: Sendable {
    /// Where invitations live.
    let invitations: any InvitationRepository
    /// The time for expiry.
    let clock: any DirectoryClock

    /// A service over `invitations`.
    public init(invitations: any InvitationRepository, clock: any DirectoryClock) {
        self.invitations = invitations
        self.clock = clock
    }

    /// The invitation a link's token belongs to, if it can still be accepted: 404, 409 or 410 otherwise.
    public func invitation(token: String) async throws -> InvitationView {
        guard let invitation = try await invitations.invitation(tokenHash: Secrets.hash(token)) else {
            throw DirectoryError.notFound("No invitation has this token.")
        }
        try InvitationRules.checkUsable(invitation, now: clock.now())
        return invitation
    }

    /// Accepts an invitation with the person's names; the user becomes active and the token is used up.
    public func accept(token: String, firstName: String?, lastName: String?, requestId: String?) async throws -> User {
        _ = try await invitation(token: token)
        let names = try InvitationRules.acceptedNames(firstName: firstName, lastName: lastName)
        return try await invitations.accept(
            tokenHash: Secrets.hash(token), firstName: names.first, lastName: names.last, requestId: requestId, now: clock.now()
        )
    }

    /// The user's latest invitation with its delivery state.
    public func latest(for user: UserID, context: OperationContext) async throws -> (InvitationView, DeliveryState?) {
        try await invitations.latest(for: user, context: context)
    }
}
