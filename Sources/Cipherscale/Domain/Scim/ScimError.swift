/// A failure answered in the SCIM error schema (RFC 7644 3.12): an HTTP status, an optional
/// `scimType` and a plain-words detail.
public struct ScimError: Error, Sendable, Equatable {
    /// The HTTP status.
    public var status: Int
    /// The SCIM error keyword (`invalidFilter`, `uniqueness`, ...), for 400 and 409 answers.
    public var scimType: String?
    /// What went wrong, for a person.
    public var detail: String
    /// Seconds to wait before retrying (429).
    public var retryAfter: Int?

    /// An error with the given status, keyword and detail.
    public init(status: Int, scimType: String? = nil, detail: String, retryAfter: Int? = nil) {
        self.status = status
        self.scimType = scimType
        self.detail = detail
        self.retryAfter = retryAfter
    }

    public static func invalidFilter(_ detail: String) -> ScimError { .init(status: 400, scimType: "invalidFilter", detail: detail) }
    public static func invalidPath(_ detail: String) -> ScimError { .init(status: 400, scimType: "invalidPath", detail: detail) }
    public static func invalidValue(_ detail: String) -> ScimError { .init(status: 400, scimType: "invalidValue", detail: detail) }
    public static func invalidSyntax(_ detail: String) -> ScimError { .init(status: 400, scimType: "invalidSyntax", detail: detail) }
    public static func mutability(_ detail: String) -> ScimError { .init(status: 400, scimType: "mutability", detail: detail) }
    public static func noTarget(_ detail: String) -> ScimError { .init(status: 400, scimType: "noTarget", detail: detail) }
    public static func tooMany(_ detail: String) -> ScimError { .init(status: 400, scimType: "tooMany", detail: detail) }
    public static func uniqueness(_ detail: String) -> ScimError { .init(status: 409, scimType: "uniqueness", detail: detail) }
    public static func notFound(_ detail: String) -> ScimError { .init(status: 404, detail: detail) }
}
