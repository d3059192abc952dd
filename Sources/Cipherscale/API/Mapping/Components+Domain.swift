import CipherscaleAPI
import Foundation

extension Date {
    /// The instant of a stored millisecond timestamp.
    init(millis: Millis) {
        self.init(timeIntervalSince1970: Double(millis) / 1000)
    }
}

extension Components.Schemas.Role {
    init(_ role: Role) {
        self.init(
            id: role.id.rawValue, createdAt: Date(millis: role.createdAt), updatedAt: Date(millis: role.updatedAt), name: role.name,
            description: role.description, deleteable: role.deleteable,
            _type: Components.Schemas.RoleType(rawValue: role.type.rawValue) ?? .basic
        )
    }
}

extension Components.Schemas.UserGroup {
    init(_ group: GroupSummary) {
        self.init(
            id: group.id.rawValue, createdAt: Date(millis: group.createdAt), updatedAt: Date(millis: group.updatedAt), name: group.name,
            description: group.description
        )
    }
}

extension Components.Schemas.Device {
    /// A device answer; `owner` is the user a device inside a User answer belongs to.
    init(_ device: Device, owner: DeviceOwner? = nil) {
        let owner = owner ?? device.owner
        self.init(
            id: device.id.rawValue, createdAt: Date(millis: device.createdAt), updatedAt: Date(millis: device.updatedAt), name: device.name,
            active: device.active, lastConnection: device.lastConnection.map(Date.init(millis:)),
            status: Components.Schemas.DeviceStatus(rawValue: device.status.rawValue) ?? .offline,
            user: owner.map {
                Components.Schemas.DeviceOwner(
                    id: $0.id.rawValue, email: $0.email, firstName: $0.firstName, lastName: $0.lastName,
                    lastConnection: $0.lastConnection.map(Date.init(millis:))
                )
            },
            hardwareId: device.hardwareId,
            posture: device.posture.flatMap { try? JSONDecoder().decode(PosturePayload.self, from: Data($0.utf8)) },
            appVersion: device.appVersion
        )
    }
}

extension Components.Schemas.DevicePage {
    init(_ page: Page<Device>) {
        self.init(
            data: page.items.map { Components.Schemas.Device($0) }, total: page.total, page: page.number, limit: page.limit,
            hasNext: page.hasNext, hasPrevious: page.hasPrevious, nextCursor: page.nextCursor
        )
    }
}

extension UserResource {
    init(_ user: User) {
        self.init(
            id: user.id.rawValue, createdAt: Date(millis: user.createdAt), updatedAt: Date(millis: user.updatedAt),
            lastConnection: user.lastConnection.map(Date.init(millis:)), email: user.email,
            status: Components.Schemas.UserStatus(rawValue: user.status.rawValue) ?? .pending,
            firstName: user.firstName, lastName: user.lastName, isOwner: user.isOwner, maxDevices: user.maxDevices,
            image: user.image, roles: user.roles.map(Components.Schemas.Role.init),
            groups: user.groups.map(Components.Schemas.UserGroup.init),
            devices: user.devices.map {
                Components.Schemas.Device(
                    $0,
                    owner: DeviceOwner(
                        id: user.id, email: user.email, firstName: user.firstName, lastName: user.lastName, lastConnection: user.lastConnection)
                )
            }
        )
    }
}

extension Components.Schemas.Group {
    init(_ group: Group) {
        self.init(
            id: group.id.rawValue, createdAt: Date(millis: group.createdAt), updatedAt: Date(millis: group.updatedAt), name: group.name,
            description: group.description, roles: group.roles.map(Components.Schemas.Role.init), deleteable: group.deleteable,
            users: group.members?.map {
                Components.Schemas.GroupMember(
                    id: $0.id.rawValue, createdAt: Date(millis: $0.joinedAt), updatedAt: Date(millis: $0.updatedAt), email: $0.email,
                    firstName: $0.firstName, lastName: $0.lastName
                )
            },
            userCount: group.memberCount, maxDevices: group.maxDevices, isSamlDefaultGroup: group.isSamlDefaultGroup,
            idpMapping: group.idpMapping
        )
    }
}

extension Components.Schemas.UserPage {
    init(_ page: Page<User>) {
        self.init(
            data: page.items.map(UserResource.init), total: page.total, page: page.number, limit: page.limit,
            hasNext: page.hasNext, hasPrevious: page.hasPrevious, nextCursor: page.nextCursor
        )
    }
}

extension Components.Schemas.GroupPage {
    init(_ page: Page<Group>) {
        self.init(
            data: page.items.map(Components.Schemas.Group.init), total: page.total, page: page.number, limit: page.limit,
            hasNext: page.hasNext, hasPrevious: page.hasPrevious, nextCursor: page.nextCursor
        )
    }
}
