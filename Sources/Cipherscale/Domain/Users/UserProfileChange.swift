/// Changes to a user's editable profile; nil leaves a field unchanged, "" clears it.
public struct UserProfileChange: Sendable {
    public var firstName: String?
    public var lastName: String?
    public var image: String?
    /// nil: unchanged; `.some(nil)`: remove the user's own device limit; `.some(n)`: set it.
    public var maxDevices: Int??

    /// A change of the given fields.
    public init(firstName: String? = nil, lastName: String? = nil, image: String? = nil, maxDevices: Int?? = nil) {
        self.firstName = firstName
        self.lastName = lastName
        self.image = image
        self.maxDevices = maxDevices
    }
}
