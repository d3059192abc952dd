/// A validated device registration.
public struct NewDevice: Sendable, Equatable {
    public var userId: UserID
    public var name: String
    public var hardwareId: String
    public var appVersion: String
    /// The posture JSON object, serialised.
    public var posture: String?
}
