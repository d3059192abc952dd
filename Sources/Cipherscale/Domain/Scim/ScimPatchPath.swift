import Foundation

/// The `path` of a PATCH operation (RFC 7644 3.5.2): an attribute (`name.givenName`), or a
/// multi-valued attribute with a value filter and an optional sub-attribute
/// (`emails[type eq "work"].value`, `members[value eq "…"]`).
public struct ScimPatchPath: Sendable, Equatable {
    /// The attribute (with its sub-attribute when no value filter is given).
    public var attribute: ScimAttributePath
    /// The value filter, relative to the attribute's values.
    public var valueFilter: ScimFilter?
    /// The sub-attribute after a value filter (`value` of `emails[...].value`), lower-cased.
    public var subAttribute: String?

    /// Parses a PATCH path; anything else is `invalidPath`.
    public static func parse(_ text: String) throws(ScimError) -> ScimPatchPath {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let open = trimmed.firstIndex(of: "[") else {
            guard let path = ScimAttributePath.parse(trimmed) else { throw .invalidPath("'\(text)' is not an attribute path.") }
            return ScimPatchPath(attribute: path)
        }
        guard let close = trimmed.lastIndex(of: "]"), close > open,
            let path = ScimAttributePath.parse(String(trimmed[..<open])), path.subAttribute == nil
        else { throw .invalidPath("'\(text)' is not a path: write attribute[filter] or attribute[filter].subAttribute.") }
        let inner = String(trimmed[trimmed.index(after: open)..<close])
        let filter: ScimFilter
        do {
            filter = try ScimFilterParser.parseValueFilter(try ScimFilterToken.scan(inner))
        } catch {
            throw .invalidPath("The value filter in '\(text)' is not valid: \(error.detail)")
        }
        let after = trimmed[trimmed.index(after: close)...]
        var sub: String?
        if !after.isEmpty {
            guard after.hasPrefix("."), ScimAttributePath.isName(after.dropFirst()) else {
                throw .invalidPath("'\(text)' has something other than .subAttribute after ']'.")
            }
            sub = after.dropFirst().lowercased()
        }
        return ScimPatchPath(attribute: path, valueFilter: filter, subAttribute: sub)
    }
}
