/// Every failure the directory reports to a client. Mapped to RFC 9457 problem details in one place
/// (`ProblemMiddleware`); anything else that is thrown becomes a generic 500.
public struct DirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; it decides the HTTP status.
    public enum Kind: Sendable, Equatable {
        /// Malformed input: bad JSON, wrong types, missing fields, invalid values (400).
        case invalidInput
        /// No usable API key (401).
        case unauthorized
        /// The key may not do this, or a rule forbids it (403).
        case forbidden
        /// No such resource in this tenant (404).
        case notFound
        /// The route exists but not for this method (405).
        case methodNotAllowed
        /// The client accepts no media type we can produce (406).
        case notAcceptable
        /// The change conflicts with the current state (409).
        case conflict
        /// The body is larger than the server accepts (413).
        case payloadTooLarge
        /// The body is not JSON (415).
        case unsupportedMediaType
        /// The body names ids that do not exist in the tenant (422).
        case unknownReference
        /// The request cannot be processed as sent, like an `Idempotency-Key` reused with another body (422).
        case unprocessable
        /// `If-Match` names a version that is no longer current (412).
        case preconditionFailed
        /// The thing existed but is no longer usable, like an expired invitation (410).
        case gone
        /// Too many requests from this client (429).
        case tooManyRequests
        /// The database does not answer (503).
        case unavailable
    }

    /// The kind of failure.
    public var kind: Kind
    /// A human-readable explanation specific to this occurrence.
    public var detail: String
    /// The offending fields, when the failure is about input.
    public var errors: [FieldError]

    public init(_ kind: Kind, _ detail: String, errors: [FieldError] = []) {
        self.kind = kind
        self.detail = detail
        self.errors = errors
    }

    /// The detail and each field error, for logs and the command line.
    public var description: String {
        ([detail] + errors.map { "\($0.location): \($0.detail)" }).joined(separator: "\n  ")
    }

    public static func invalid(_ detail: String, _ errors: [FieldError] = []) -> DirectoryError { .init(.invalidInput, detail, errors: errors) }
    public static func notFound(_ detail: String) -> DirectoryError { .init(.notFound, detail) }
    public static func conflict(_ detail: String, _ errors: [FieldError] = []) -> DirectoryError { .init(.conflict, detail, errors: errors) }
    public static func forbidden(_ detail: String) -> DirectoryError { .init(.forbidden, detail) }
    public static func unknownReference(_ detail: String, _ errors: [FieldError] = []) -> DirectoryError {
        .init(.unknownReference, detail, errors: errors)
    }
    public static func preconditionFailed(_ resource: String) -> DirectoryError {
        .init(.preconditionFailed, "The \(resource) has changed since the ETag given in If-Match; fetch it again and retry.")
    }
    public static let userNotFound = DirectoryError.notFound("No user with this id exists in the tenant.")
    public static let groupNotFound = DirectoryError.notFound("No group with this id exists in the tenant.")
    public static let roleNotFound = DirectoryError.notFound("No role with this id exists in the tenant.")
}

extension DirectoryError {
    /// The same failure with its field errors outside any batch item (a single object was sent).
    public var outsideBatch: DirectoryError {
        var copy = self
        copy.errors = errors.map { FieldError($0.location.withoutItem, $0.detail) }
        return copy
    }
}
