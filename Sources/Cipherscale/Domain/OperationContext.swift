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
    public static func of(_ user: User) -> String { tag(String(reflecting: user)) }
    public static func of(_ group: Group) -> String { tag(String(reflecting: group)) }

    private static func tag(_ text: String) -> String {
        let digest = SHA256.hash(data: Data(text.utf8))
        return "\"" + digest.prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
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
