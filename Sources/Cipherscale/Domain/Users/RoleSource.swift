/// Which roles of a user to list.
public enum RoleSource: Sendable {
    /// Held directly or through a group.
    case effective
    /// Held directly.
    case direct
    /// Granted by the user's groups.
    case groups
}
