import Crypto
import Foundation

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
