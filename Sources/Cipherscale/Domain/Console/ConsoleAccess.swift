/// What a signed-in console user may do, decided by their effective roles every time a session is used.
public enum ConsoleAccess: String, Sendable, Equatable {
    /// OWNER or ADMIN, directly or through a group: every page and every change.
    case full
    /// AUDITOR: every page, no change.
    case readOnly

    /// The access of `user`, or nil when they may not sign in (not active, or no console role).
    public static func of(_ user: User) -> ConsoleAccess? {
        guard user.status == .active else { return nil }
        let types = Set(user.roles.map(\.type))
        if types.contains(.owner) || types.contains(.admin) { return .full }
        if types.contains(.auditor) { return .readOnly }
        return nil
    }
}
