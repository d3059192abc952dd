/// A device registered to a user.
public struct Device: Sendable, Equatable {
    public var id: DeviceID
    public var userId: UserID?
    public var name: String?
    public var hardwareId: String
    public var appVersion: String?
    /// The posture JSON object as the device sent it.
    public var posture: String?
    public var active: Bool
    public var lastConnection: Millis?
    public var createdAt: Millis
    public var updatedAt: Millis
    /// Derived when loaded: Deactivated, or Online within the online window, else Offline.
    public var status: DeviceStatus
    /// Loaded with device answers; nil inside a user (the user is the owner) or when the owner was deleted.
    public var owner: DeviceOwner?
}
