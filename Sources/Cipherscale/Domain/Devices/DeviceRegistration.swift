/// A device registration as the client sent it.
public struct DeviceRegistration: Sendable {
    public var userId: String
    public var name: String
    public var hardwareId: String
    public var appVersion: String
    /// The posture JSON object, serialised (compact, sorted keys).
    public var posture: String?

    /// A registration with every field of the body.
    public init(userId: String, name: String, hardwareId: String, appVersion: String, posture: String?) {
        self.userId = userId
        self.name = name
        self.hardwareId = hardwareId
        self.appVersion = appVersion
        self.posture = posture
    }
}
