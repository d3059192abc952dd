/// Where invitations live. The token-based methods are not confined to a tenant: the token is the
/// credential, and it names exactly one invitation.
public protocol InvitationRepository: Sendable {
    /// The invitation whose token has this hash, in any state.
    func invitation(tokenHash: String) async throws -> InvitationView?
    /// A user's latest invitation and its message's delivery state, or 404.
    func latest(for user: UserID, context: OperationContext) async throws -> (InvitationView, DeliveryState?)
    /// Accepts an invitation (locked with its user, checked with ``InvitationRules`` and ``UserRules``):
    /// the pending user becomes active with their names, and the token is used up.
    func accept(tokenHash: String, firstName: String, lastName: String, requestId: String?, now: Millis) async throws -> User
    /// The state, expiry and tenant name of each invitation, by id (for the mail worker).
    func mailSubjects(_ ids: [InvitationID]) async throws -> [InvitationID: MailSubject]
}
