import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIRuntime

/// Explains, in plain words, why the generated code could not decode a request: which query
/// parameter or body field is wrong and what JSON it should be. No Swift type name ever reaches a
/// client ("an integer", "a JSON object", never `Int` or `Dictionary<String, Any>`).
enum DecodingProblem {
    /// The query parameters the contract types as something other than text, and what they must be.
    /// (A failure to decode one of them carries no parameter name, so the raw query is checked.)
    static let typedQueryParameters: [String: (valid: @Sendable (String) -> Bool, expected: String)] = [
        "limit": ({ Int($0) != nil }, "an integer"),
        "offset": ({ Int($0) != nil }, "an integer"),
        "rolesOnly": ({ $0 == "true" || $0 == "false" }, "true or false"),
        "groupsOnly": ({ $0 == "true" || $0 == "false" }, "true or false"),
        "groups": ({ $0 == "true" || $0 == "false" }, "true or false"),
        "since": ({ Timestamps.parse($0) != nil }, "a date-time such as 2026-01-15T10:30:00Z"),
        "until": ({ Timestamps.parse($0) != nil }, "a date-time such as 2026-01-15T10:30:00Z"),
    ]

    static func explain(_ error: ServerError, request: Request) -> DirectoryError {
        let queryErrors = QueryString.pairs(request.uri.query).compactMap { name, value -> FieldError? in
            guard let rule = typedQueryParameters[name], !rule.valid(value) else { return nil }
            return FieldError(.query(name), "must be \(rule.expected), not '\(value)'")
        }
        if !queryErrors.isEmpty {
            return DirectoryError.invalid("A query parameter has the wrong type.", queryErrors)
        }
        guard let decoding = error.underlyingError as? DecodingError else {
            if bodyIsEmpty(request) {
                return DirectoryError.invalid("The request body is empty; this operation needs a JSON body.")
            }
            return DirectoryError.invalid("The request is not valid: \(error.causeDescription)")
        }
        switch decoding {
        case .keyNotFound(let key, let context):
            return DirectoryError.invalid("A required field is missing.", [FieldError(pointer(context.codingPath + [key]), "is required")])
        case .typeMismatch(let type, let context):
            let expected = jsonKind(type)
            if context.codingPath.isEmpty {
                return DirectoryError.invalid("The request body must be \(expected).")
            }
            return DirectoryError.invalid("A field has the wrong type.", [FieldError(pointer(context.codingPath), "must be \(expected)")])
        case .valueNotFound(_, let context) where context.debugDescription.contains("oneOf"):
            // A body that may take several shapes (one user or a batch) matched none of them.
            if request.method == .post && request.uri.path == "/tenants/users" {
                return DirectoryError.invalid("The request body must be a user object or an array of 1 to 100 user objects.")
            }
            return DirectoryError.invalid("The request body matches none of the shapes this operation takes (see /openapi.yaml).")
        case .valueNotFound(let type, let context):
            let expected = jsonKind(type)
            if context.codingPath.isEmpty {
                return DirectoryError.invalid("The request body must be \(expected), not null.")
            }
            return DirectoryError.invalid("A field is null.", [FieldError(pointer(context.codingPath), "must be \(expected), not null")])
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                if bodyIsEmpty(request) {
                    return DirectoryError.invalid("The request body is empty; this operation needs a JSON body.")
                }
                return DirectoryError.invalid("The request body does not match the operation's schema.")
            }
            return DirectoryError.invalid("A field has an invalid value.", [FieldError(pointer(context.codingPath), plain(context.debugDescription))])
        @unknown default:
            return DirectoryError.invalid("The request is not valid.")
        }
    }

    /// What a value of `type` is in JSON, in words.
    static func jsonKind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is Substring.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int32.Type, is Int64.Type, is UInt.Type, is UInt32.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Date.Type: return "a date-time string such as 2026-01-15T10:30:00Z"
        default:
            if type is any RawRepresentable<String>.Type { return "a string" }
            let name = String(describing: type)
            if name.hasPrefix("Array<") || name.hasPrefix("[") { return "an array" }
            return "a JSON object"
        }
    }

    /// A decoder's own message, with any Swift type names replaced by JSON words.
    static func plain(_ message: String) -> String {
        var text = message
        for (swift, json) in [("Int", "an integer"), ("String", "a string"), ("Bool", "true or false"), ("Double", "a number")] {
            text = text.replacingOccurrences(of: "type \(swift)", with: json)
        }
        return text
    }

    private static func pointer(_ path: [any CodingKey]) -> FieldLocation {
        .pointer("/" + path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "/"))
    }

    /// True when the request came without a body: no `Content-Length` and no chunked body, or a length of 0.
    private static func bodyIsEmpty(_ request: Request) -> Bool {
        if let length = request.headers[.contentLength] { return length.trimmingCharacters(in: .whitespaces) == "0" }
        return request.headers[.transferEncoding] == nil
    }
}
