import Crypto
import Foundation

/// Feeds every field of a value, unambiguously (texts are length-prefixed, absent values marked),
/// into SHA-256. Spelled out field by field: generic reflection cost more than the rest of a GET.
/// `DomainTests` counts each model's fields, so a new field cannot be left out silently.
struct TagFeed {
    private var text = ""

    var tag: String {
        "\"" + Hex.encode(SHA256.hash(data: Data(text.utf8)).prefix(16)) + "\""
    }

    mutating func add(_ value: String?) {
        if let value {
            text += String(value.utf8.count)
            text += ":"
            text += value
        } else {
            text += "~"
        }
        text += "|"
    }

    mutating func add(_ value: Int64?) { add(value.map { String($0) }) }
    mutating func add<Kind>(_ value: Identifier<Kind>?) { add(value?.rawValue) }
    mutating func add(_ value: Int?) { add(value.map { String($0) }) }
    mutating func add(_ value: Bool) { add(value ? "t" : "f") }

    mutating func add(_ user: User) {
        add(user.id)
        add(user.email)
        add(user.firstName)
        add(user.lastName)
        add(user.image)
        add(user.status.rawValue)
        add(user.isOwner)
        add(user.maxDevices)
        add(user.lastConnection)
        add(user.createdAt)
        add(user.updatedAt)
        add(user.roles.count)
        for role in user.roles { add(role) }
        add(user.groups.count)
        for group in user.groups {
            add(group.id)
            add(group.name)
            add(group.description)
            add(group.createdAt)
            add(group.updatedAt)
        }
        add(user.devices.count)
        for device in user.devices { add(device) }
        // Only when set, so the tags of users never provisioned over SCIM stay as they were.
        if let externalId = user.externalId { add(externalId) }
    }

    mutating func add(_ role: Role) {
        add(role.id)
        add(role.type.rawValue)
        add(role.name)
        add(role.description)
        add(role.deleteable)
        add(role.createdAt)
        add(role.updatedAt)
    }

    mutating func add(_ device: Device) {
        add(device.id)
        add(device.userId)
        add(device.name)
        add(device.hardwareId)
        add(device.appVersion)
        add(device.posture)
        add(device.active)
        add(device.lastConnection)
        add(device.createdAt)
        add(device.updatedAt)
        add(device.status.rawValue)
        add(device.owner?.id)
        add(device.owner?.email)
        add(device.owner?.firstName)
        add(device.owner?.lastName)
        add(device.owner?.lastConnection)
    }

    mutating func add(_ group: Group) {
        add(group.id)
        add(group.name)
        add(group.description)
        add(group.isDefault)
        add(group.deleteable)
        add(group.maxDevices)
        add(group.isSamlDefaultGroup)
        add(group.idpMapping.count)
        for mapping in group.idpMapping { add(mapping) }
        add(group.memberCount)
        add(group.createdAt)
        add(group.updatedAt)
        add(group.roles.count)
        for role in group.roles { add(role) }
        add(group.members.map(\.count))
        for member in group.members ?? [] {
            add(member.id)
            add(member.email)
            add(member.firstName)
            add(member.lastName)
            add(member.joinedAt)
            add(member.updatedAt)
        }
        if let externalId = group.externalId { add(externalId) }
    }
}
