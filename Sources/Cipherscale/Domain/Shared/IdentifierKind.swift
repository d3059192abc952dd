/// The kinds of things that have typed ids.
public enum IdentifierKind {
    /// A tenant.
    public enum Tenant {}
    /// A user.
    public enum User {}
    /// A group.
    public enum Group {}
    /// A role.
    public enum Role {}
    /// A device.
    public enum Device {}
    /// An invitation.
    public enum Invitation {}
    /// An API key.
    public enum APIKey {}
}
