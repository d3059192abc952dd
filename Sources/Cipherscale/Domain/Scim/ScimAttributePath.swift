/// An attribute named in a SCIM filter or PATCH path: `userName`, `name.givenName`, `emails.value`,
/// or any of them after a schema URN (`urn:ietf:params:scim:schemas:core:2.0:User:userName`).
///
/// Attribute names are case-insensitive (RFC 7643 2.1), so they are kept lower-cased; the schema URN
/// is kept as written (lower-cased too) so the door can check that it is one it serves.
public struct ScimAttributePath: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The schema URN before the attribute, lower-cased, when one was written.
    public var schema: String?
    /// The attribute, lower-cased.
    public var attribute: String
    /// The sub-attribute, lower-cased (`givenname` of `name.givenName`).
    public var subAttribute: String?

    /// A path of lower-cased parts.
    public init(schema: String? = nil, attribute: String, subAttribute: String? = nil) {
        self.schema = schema
        self.attribute = attribute
        self.subAttribute = subAttribute
    }

    /// `attribute.subAttribute` (without the schema), lower-cased: the key resources map to columns.
    public var key: String { subAttribute.map { attribute + "." + $0 } ?? attribute }

    public var description: String { (schema.map { $0 + ":" } ?? "") + key }

    /// Parses `[urn:...:]attr[.sub]`; nil when it is not an attribute path.
    public static func parse(_ text: String) -> ScimAttributePath? {
        var rest = Substring(text)
        var schema: String?
        if text.lowercased().hasPrefix("urn:") {
            // The attribute follows the URN's last colon; the URN itself may hold dots ("2.0").
            guard let colon = text.lastIndex(of: ":") else { return nil }
            schema = String(text[..<colon]).lowercased()
            rest = text[text.index(after: colon)...]
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy(isName) else { return nil }
        return ScimAttributePath(
            schema: schema, attribute: parts[0].lowercased(), subAttribute: parts.count == 2 ? parts[1].lowercased() : nil)
    }

    /// ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA; `$ref` too.
    static func isName(_ part: Substring) -> Bool {
        if part == "$ref" { return true }
        guard let first = part.first, first.isASCII, first.isLetter else { return false }
        return part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
