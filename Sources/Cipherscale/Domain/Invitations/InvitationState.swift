/// An invitation's stored state; expiry is judged against its `expiresAt`, not stored.
public enum InvitationState: String, Sendable, CaseIterable {
    /// Not used yet.
    case pending
    /// Used: the user accepted it.
    case accepted
    /// Replaced by a newer invitation of the same user.
    case superseded
}
