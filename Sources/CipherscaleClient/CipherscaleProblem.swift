import Foundation

/// A request the server refused: the RFC 9457 problem of a non-2xx answer, as a typed error.
///
/// Every answer outside 2xx (and 304) becomes one: the server's `application/problem+json` body
/// when it sent one, otherwise the status with its reason phrase and the start of the body.
public struct CipherscaleProblem: Error, Hashable, Sendable, CustomStringConvertible {
    /// One offending field of the request, named by JSON pointer (`/3/email`) or by query
    /// parameter (`query:filter[status][eq]`).
    public struct FieldError: Hashable, Sendable {
        /// Where the problem is, as the server names it.
        public var pointer: String
        /// What is wrong there.
        public var detail: String

        /// A field error at `pointer`.
        public init(pointer: String, detail: String) {
            self.pointer = pointer
            self.detail = detail
        }
    }

    /// The HTTP status of the answer.
    public var status: Int
    /// The short summary of the problem type (`Not Found`).
    public var title: String
    /// What went wrong with this request, when the server says.
    public var detail: String?
    /// Each offending field, for input problems.
    public var errors: [FieldError]
    /// The request's id (`X-Request-Id`), to quote when reporting a 500.
    public var requestId: String?

    /// A problem with these parts.
    public init(status: Int, title: String, detail: String? = nil, errors: [FieldError] = [], requestId: String? = nil) {
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.requestId = requestId
    }

    /// `404 Not Found: No user with id …`, then one indented line per field error.
    public var description: String {
        var lines = ["\(status) \(title)" + (detail.map { ": \($0)" } ?? "")]
        lines += errors.map { "  \($0.pointer): \($0.detail)" }
        if status >= 500, let requestId { lines.append("  request id: \(requestId)") }
        return lines.joined(separator: "\n")
    }
}
