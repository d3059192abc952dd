/// What a mail job needs to know about its invitation when it is sent.
public struct MailSubject: Sendable, Equatable {
    /// The invitation's state now.
    public var status: InvitationState
    public var expiresAt: Millis
    /// The name of the tenant the invitation is to.
    public var tenantName: String
}
