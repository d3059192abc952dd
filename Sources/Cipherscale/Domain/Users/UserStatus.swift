/// A user account's state. Users start `pending` until they accept their invitation.
public enum UserStatus: String, Sendable, CaseIterable {
    case pending
    case active
    case inactive
}
