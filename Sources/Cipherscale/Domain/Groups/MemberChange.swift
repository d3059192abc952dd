/// One change to a group's members, as SCIM PATCH and PUT express them; applied in order.
public enum MemberChange: Sendable, Equatable {
    /// These users join (members already are left as they are).
    case add([UserID])
    /// These users leave (non-members are ignored). A user left in no group joins the Default group.
    case remove([UserID])
    /// The members become exactly these users.
    case replace([UserID])
}
