import Foundation
import OpenAPIRuntime

/// The `User` schema of `openapi.yaml`, written by hand (see `typeOverrides` in the generator config).
///
/// The generated type would drop `maxDevices` when it is null, although the contract requires the key
/// (`"maxDevices": null`). This type encodes it always; every other field is as generated.
public struct UserResource: Codable, Hashable, Sendable {
    public var id: String
    public var createdAt: Date
    public var updatedAt: Date
    public var lastConnection: Date?
    public var email: String?
    public var status: Components.Schemas.UserStatus
    public var firstName: String?
    public var lastName: String?
    public var isOwner: Bool
    /// The user's own device cap; null means none is set.
    public var maxDevices: Int?
    public var image: String?
    /// Effective roles: direct plus group-granted, without duplicates.
    public var roles: [Components.Schemas.Role]
    public var groups: [Components.Schemas.UserGroup]
    public var devices: [Components.Schemas.Device]

    public init(
        id: String, createdAt: Date, updatedAt: Date, lastConnection: Date?, email: String?,
        status: Components.Schemas.UserStatus, firstName: String?, lastName: String?, isOwner: Bool,
        maxDevices: Int?, image: String?, roles: [Components.Schemas.Role], groups: [Components.Schemas.UserGroup],
        devices: [Components.Schemas.Device]
    ) {
        self.id = id
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastConnection = lastConnection
        self.email = email
        self.status = status
        self.firstName = firstName
        self.lastName = lastName
        self.isOwner = isOwner
        self.maxDevices = maxDevices
        self.image = image
        self.roles = roles
        self.groups = groups
        self.devices = devices
    }

    enum CodingKeys: String, CodingKey {
        case id, createdAt, updatedAt, lastConnection, email, status, firstName, lastName, isOwner, maxDevices, image
        case roles, groups, devices
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encodeIfPresent(lastConnection, forKey: .lastConnection)
        try container.encodeIfPresent(email, forKey: .email)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(firstName, forKey: .firstName)
        try container.encodeIfPresent(lastName, forKey: .lastName)
        try container.encode(isOwner, forKey: .isOwner)
        // Required and nullable: always present, `null` when unset.
        try container.encode(maxDevices, forKey: .maxDevices)
        try container.encodeIfPresent(image, forKey: .image)
        try container.encode(roles, forKey: .roles)
        try container.encode(groups, forKey: .groups)
        try container.encode(devices, forKey: .devices)
    }
}
