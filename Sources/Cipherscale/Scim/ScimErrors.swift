import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The one place that turns failures on `/scim/v2` into the SCIM error schema (RFC 7644 3.12):
/// `{"schemas": [Error], "status": "409", "scimType": "uniqueness", "detail": "…"}`, as
/// `application/scim+json`. Called by ``ProblemMiddleware`` for the SCIM door.
enum ScimErrors {
    /// Whether `path` belongs to the SCIM door.
    static func isScim(_ path: String) -> Bool { path == "/scim/v2" || path.hasPrefix("/scim/") }

    /// The SCIM answer for `error`; `problem` is the REST answer already made for it (its status and
    /// `Allow` header are kept for errors that are neither SCIM nor domain errors).
    static func response(for error: any Error, problem: Response) -> Response {
        switch error {
        case let error as ScimError: return response(error)
        case let error as DirectoryError: return response(map(error))
        default:
            let status = problem.status
            var response = response(
                ScimError(status: status.code, detail: status.code >= 500 ? "The server failed to handle the request." : reason(status)))
            if let allow = problem.headers[.allow] { response.headers[.allow] = allow }
            return response
        }
    }

    private static func reason(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: return "No SCIM endpoint or resource here."
        case 405: return "This method is not allowed here."
        case 413: return "The request body is larger than \(BodyLimitMiddleware<DirectoryRequestContext>.maxBodyBytes) bytes."
        default: return status.reasonPhrase
        }
    }

    /// A domain failure in SCIM terms.
    static func map(_ error: DirectoryError) -> ScimError {
        let detail = error.description.replacingOccurrences(of: "\n  ", with: " ")
        switch error.kind {
        case .invalidInput:
            if error == BodyLimitMiddleware<DirectoryRequestContext>.invalidJSON { return .invalidSyntax(error.detail) }
            return .invalidValue(detail)
        case .unknownReference, .unprocessable: return .invalidValue(detail)
        case .conflict:
            if error.errors.contains(where: { $0.detail == "already in use" }) { return .uniqueness(error.detail) }
            return ScimError(status: 409, detail: detail)
        case .unauthorized: return ScimError(status: 401, detail: error.detail)
        case .forbidden: return ScimError(status: 403, detail: error.detail)
        case .notFound: return ScimError(status: 404, detail: error.detail)
        case .methodNotAllowed: return ScimError(status: 405, detail: error.detail)
        case .notAcceptable: return ScimError(status: 406, detail: "This service answers application/scim+json.")
        case .payloadTooLarge: return ScimError(status: 413, detail: error.detail)
        case .unsupportedMediaType: return ScimError(status: 415, detail: "The request body must be application/scim+json or application/json.")
        case .preconditionFailed: return ScimError(status: 412, detail: error.detail)
        case .gone: return ScimError(status: 410, detail: error.detail)
        case .tooManyRequests: return ScimError(status: 429, detail: error.detail)
        case .unavailable: return ScimError(status: 503, detail: error.detail)
        }
    }

    static func response(_ error: ScimError) -> Response {
        var body: JSONValue = ["schemas": [.string(ScimURN.error)], "status": .string(String(error.status))]
        if let scimType = error.scimType { body.set("scimType", .string(scimType)) }
        body.set("detail", .string(error.detail))
        var response = ScimController.json(body, status: HTTPResponse.Status(code: error.status))
        if error.status == 401 { response.headers[.wwwAuthenticate] = "Bearer realm=\"scim\"" }
        if let retryAfter = error.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}
