import Crypto
import Foundation

/// Who is making the current change and on what condition, as the HTTP layer learned it.
///
/// Set by the middleware around each request (a task-local), read by the store inside its
/// transactions: the actor and request id go into the audit log with the change, and `ifMatch`
/// is compared with the target's current entity tag before anything is written.
public struct OperationContext: Sendable {
    /// Who acts: an API key, the holder of an invitation link, or the operator's command line.
    public var actor = AuditActor.system
    /// The request's `X-Request-Id`.
    public var requestId: String?
    /// The raw `If-Match` header of the request, when it had one.
    public var ifMatch: String?

    public init(actor: AuditActor = .system, requestId: String? = nil, ifMatch: String? = nil) {
        self.actor = actor
        self.requestId = requestId
        self.ifMatch = ifMatch
    }

    @TaskLocal public static var current = OperationContext()
}

/// Strong entity tags for users and groups, derived from everything their answer shows.
///
/// The tag is a hash of the whole domain value (fields, roles, groups, devices with their derived
/// status, or a group's roles and embedded members), so any visible change gives a new tag, and the
/// store can recompute it inside a transaction to check `If-Match` atomically with the change.
public enum EntityTag {
    public static func of(_ user: User) -> String {
        var feed = TagFeed()
        feed.add(user)
        return feed.tag
    }

    public static func of(_ group: Group) -> String {
        var feed = TagFeed()
        feed.add(group)
        return feed.tag
    }

    /// The tags listed in an `If-Match` or `If-None-Match` header; `*` stands for any.
    public static func list(_ header: String) -> [String] {
        header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `If-Match` uses the strong comparison (RFC 9110 13.1.1): a weak tag never matches.
    public static func ifMatch(_ header: String, current: String) -> Bool {
        list(header).contains { $0 == "*" || $0 == current }
    }

    /// `If-None-Match` uses the weak comparison (RFC 9110 13.1.2): `W/` prefixes are ignored.
    public static func ifNoneMatch(_ header: String, current: String) -> Bool {
        func opaque(_ tag: String) -> String { tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag }
        return list(header).contains { $0 == "*" || opaque($0) == opaque(current) }
    }
}

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
    }
}
