import CipherscaleAPI
import Foundation
import NIOCore

/// The contract's `User` and `UserPage` answers written straight to bytes, for the two reads that
/// answer them most (one user, a page of users). `JSONEncoder` over the generated types was 11% of a
/// get-user's CPU and 29% of a page's. `UserJSONTests` checks that every answer parses to exactly what
/// the generated encoding gives (the same members, `null`s and absences), for users with and without
/// every optional part.
///
/// Members come in the schema's order.
enum UserJSON {
    /// One `User`.
    static func user(_ user: User) -> ByteBuffer {
        var json = JSONWriter(capacity: 1024)
        write(user, to: &json)
        return json.buffer
    }

    /// One `UserPage`.
    static func page(_ page: Page<User>) -> ByteBuffer {
        var json = JSONWriter(capacity: 512 + 900 * page.items.count)
        json.beginObject()
        json.key("data")
        json.beginArray()
        for user in page.items { write(user, to: &json) }
        json.endArray()
        json.key("total")
        json.value(page.total)
        if let number = page.number {
            json.key("page")
            json.value(number)
        }
        json.key("limit")
        json.value(page.limit)
        json.key("hasNext")
        json.value(page.hasNext)
        json.key("hasPrevious")
        json.value(page.hasPrevious)
        if let cursor = page.nextCursor {
            json.key("nextCursor")
            json.value(cursor)
        }
        json.endObject()
        return json.buffer
    }

    /// `user` as ``UserResource`` encodes it: optional members left out when unset, but
    /// `maxDevices` always present (`null` when unset).
    static func write(_ user: User, to json: inout JSONWriter) {
        json.beginObject()
        stamps(id: user.id.rawValue, createdAt: user.createdAt, updatedAt: user.updatedAt, to: &json)
        optional("lastConnection", user.lastConnection, to: &json)
        json.key("email")
        json.value(user.email)
        json.key("status")
        json.value(user.status.rawValue)
        optional("firstName", user.firstName, to: &json)
        optional("lastName", user.lastName, to: &json)
        json.key("isOwner")
        json.value(user.isOwner)
        json.key("maxDevices")
        if let maxDevices = user.maxDevices { json.value(maxDevices) } else { json.null() }
        optional("image", user.image, to: &json)
        json.key("roles")
        json.beginArray()
        for role in user.roles {
            json.beginObject()
            named(
                id: role.id.rawValue, createdAt: role.createdAt, updatedAt: role.updatedAt, name: role.name, description: role.description, to: &json)
            json.key("deleteable")
            json.value(role.deleteable)
            json.key("type")
            json.value(role.type.rawValue)
            json.endObject()
        }
        json.endArray()
        json.key("groups")
        json.beginArray()
        for group in user.groups {
            json.beginObject()
            named(
                id: group.id.rawValue, createdAt: group.createdAt, updatedAt: group.updatedAt, name: group.name, description: group.description,
                to: &json)
            json.endObject()
        }
        json.endArray()
        json.key("devices")
        json.beginArray()
        for device in user.devices { write(device, of: user, to: &json) }
        json.endArray()
        json.endObject()
    }

    /// A device inside its user's answer, the user as its owner. Its posture is the JSON object the
    /// device sent, as stored (the generated code leaves out a posture that is not one).
    private static func write(_ device: Device, of user: User, to json: inout JSONWriter) {
        json.beginObject()
        stamps(id: device.id.rawValue, createdAt: device.createdAt, updatedAt: device.updatedAt, to: &json)
        optional("name", device.name, to: &json)
        json.key("active")
        json.value(device.active)
        optional("lastConnection", device.lastConnection, to: &json)
        json.key("status")
        json.value(device.status.rawValue)
        json.key("user")
        json.beginObject()
        json.key("id")
        json.value(user.id.rawValue)
        json.key("email")
        json.value(user.email)
        optional("firstName", user.firstName, to: &json)
        optional("lastName", user.lastName, to: &json)
        optional("lastConnection", user.lastConnection, to: &json)
        json.endObject()
        json.key("hardwareId")
        json.value(device.hardwareId)
        if let posture = device.posture, posture.utf8.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{"),
            StrictJSON.isValid(posture.utf8)
        {
            json.key("posture")
            json.raw(posture)
        }
        optional("appVersion", device.appVersion, to: &json)
        json.endObject()
    }

    /// The members a role and a group share, in their schemas' order.
    private static func named(id: String, createdAt: Millis, updatedAt: Millis, name: String, description: String?, to json: inout JSONWriter) {
        stamps(id: id, createdAt: createdAt, updatedAt: updatedAt, to: &json)
        json.key("name")
        json.value(name)
        optional("description", description, to: &json)
    }

    /// The id and the two timestamps every resource starts with.
    private static func stamps(id: String, createdAt: Millis, updatedAt: Millis, to json: inout JSONWriter) {
        json.key("id")
        json.value(id)
        json.key("createdAt")
        json.value(Timestamps.format(createdAt))
        json.key("updatedAt")
        json.value(Timestamps.format(updatedAt))
    }

    private static func optional(_ name: String, _ millis: Millis?, to json: inout JSONWriter) {
        guard let millis else { return }
        json.key(name)
        json.value(Timestamps.format(millis))
    }

    private static func optional(_ name: String, _ text: String?, to json: inout JSONWriter) {
        guard let text else { return }
        json.key(name)
        json.value(text)
    }
}
