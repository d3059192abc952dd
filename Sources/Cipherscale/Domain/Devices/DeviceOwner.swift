/// The owner of a device as a Device answer shows it.
public struct DeviceOwner: Sendable, Equatable {
    public var id: UserID
    public var email: String
    public var firstName: String?
    public var lastName: String?
    public var lastConnection: Millis?
}
