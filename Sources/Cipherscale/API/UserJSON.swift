import CipherscaleAPI
import Foundation
import NIOCore

/// The contract's `User` and `UserPage` answers written straight to bytes, for the two reads that
/// answer them most (one user, a page of users). `JSONEncoder` over the generated types was 11% of a
/// get-user's CPU and 29% of a page's. `UserJSONTests` checks that every answer parses to exactly what
/// the generated encoding gives (the same members, `null`s and absences), for users with and without
/// every optional part.
///
/// Members come in the schema's order. Devices, rare inside a user and carrying free-form posture,
/// are encoded as the generated code does and copied in.
enum UserJSON {
    /// One `User`.
    static func user(_ user: User) throws -> ByteBuffer {
        var json = JSONWriter(capacity: 1024)
        try write(user, to: &json)
        return json.buffer
    }

    /// One `UserPage`.
    static func page(_ page: Page<User>) throws -> ByteBuffer {
        var json = JSONWriter(capacity: 512 + 900 * page.items.count)
        json.beginObject()
        json.key("data")
        json.beginArray()
        for user in page.items { try write(user, to: &json) }
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
    static func write(_ user: User, to json: inout JSONWriter) throws {
        json.beginObject()
        json.key("id")
        json.value(user.id.rawValue)
        json.key("createdAt")
        json.value(Timestamps.format(user.createdAt))
        json.key("updatedAt")
        json.value(Timestamps.format(user.updatedAt))
        if let lastConnection = user.lastConnection {
            json.key("lastConnection")
            json.value(Timestamps.format(lastConnection))
        }
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
        if user.devices.isEmpty {
            json.beginArray()
            json.endArray()
        } else {
            json.raw(try devices(of: user))
        }
        json.endObject()
    }

    /// The members a role and a group share, in their schemas' order.
    private static func named(id: String, createdAt: Millis, updatedAt: Millis, name: String, description: String?, to json: inout JSONWriter) {
        json.key("id")
        json.value(id)
        json.key("createdAt")
        json.value(Timestamps.format(createdAt))
        json.key("updatedAt")
        json.value(Timestamps.format(updatedAt))
        json.key("name")
        json.value(name)
        optional("description", description, to: &json)
    }

    private static func optional(_ name: String, _ text: String?, to json: inout JSONWriter) {
        guard let text else { return }
        json.key(name)
        json.value(text)
    }

    /// The user's devices, encoded as the generated handlers encode them.
    private static func devices(of user: User) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(try MillisecondDateTranscoder().encode(date))
        }
        return String(decoding: try encoder.encode(UserResource(user).devices), as: UTF8.self)
    }
}
