/// A session to open when a link is redeemed.
public struct NewConsoleSession: Sendable {
    public var id: String
    public var tokenHash: String
}
