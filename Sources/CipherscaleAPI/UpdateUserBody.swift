/// The `UpdateUser` schema of `openapi.yaml`, written by hand (see `typeOverrides`).
///
/// `maxDevices` has three meanings the generated type cannot tell apart: absent (unchanged),
/// `null` (remove the user's own limit) and a number (set it).
public struct UpdateUserBody: Codable, Hashable, Sendable {
    /// What to do with the user's own device limit.
    public enum MaxDevicesChange: Hashable, Sendable {
        case unchanged
        case clear
        case set(Int)
    }

    public var firstName: String?
    public var lastName: String?
    public var image: String?
    public var maxDevices: MaxDevicesChange

    public init(firstName: String? = nil, lastName: String? = nil, image: String? = nil, maxDevices: MaxDevicesChange = .unchanged) {
        self.firstName = firstName
        self.lastName = lastName
        self.image = image
        self.maxDevices = maxDevices
    }

    enum CodingKeys: String, CodingKey {
        case firstName, lastName, image, maxDevices
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        firstName = try container.decodeIfPresent(String.self, forKey: .firstName)
        lastName = try container.decodeIfPresent(String.self, forKey: .lastName)
        image = try container.decodeIfPresent(String.self, forKey: .image)
        if !container.contains(.maxDevices) {
            maxDevices = .unchanged
        } else if try container.decodeNil(forKey: .maxDevices) {
            maxDevices = .clear
        } else {
            maxDevices = .set(try container.decode(Int.self, forKey: .maxDevices))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(firstName, forKey: .firstName)
        try container.encodeIfPresent(lastName, forKey: .lastName)
        try container.encodeIfPresent(image, forKey: .image)
        switch maxDevices {
        case .unchanged: break
        case .clear: try container.encodeNil(forKey: .maxDevices)
        case .set(let value): try container.encode(value, forKey: .maxDevices)
        }
    }
}
