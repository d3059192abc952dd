import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Content rules for every request before the generated code sees it:
/// - bodies over ``maxBodyBytes`` are 413 (the body is collected here, so the limit holds for chunked bodies too);
/// - a body that is not JSON is 415; an `Accept` that allows neither JSON nor problem+json is 406;
/// - `Accept` is then removed, because the generated code would otherwise turn a mismatch into a 500
///   (errors are always problem+json, successes always JSON);
/// - HTML answers (the invitation pages) get `charset=utf-8`.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The largest request body accepted: 1 MiB.
    static var maxBodyBytes: Int { 1 << 20 }
    /// The refusal of a body that is not JSON.
    static var invalidJSON: DirectoryError { DirectoryError(.invalidInput, "The request body is not valid JSON.") }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let console = request.uri.path == "/console" || request.uri.path.hasPrefix("/console/")
        let scim = ScimErrors.isScim(request.uri.path)
        if let accept = request.headers[.accept], !console, !Self.acceptsJSON(accept, scim: scim),
            !((request.uri.path.hasPrefix("/invitations/") || request.uri.path == "/") && accept.lowercased().contains("text/html"))
        {
            throw DirectoryError(.notAcceptable, "This API answers application/json (and application/problem+json for errors).")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maxBodyBytes {
            throw HTTPError(.contentTooLarge)
        }
        let body = try await request.collectBody(upTo: Self.maxBodyBytes)
        if body.readableBytes > 0 {
            let type = request.headers[.contentType]?.lowercased() ?? ""
            let isJSON = type.hasPrefix("application/json") || (type.hasPrefix("application/") && type.contains("+json"))
            // HTML forms post here: the invitation acceptance page and the console.
            let isForm = type.hasPrefix("application/x-www-form-urlencoded") && (request.uri.path.hasPrefix("/invitations/") || console)
            if !isJSON && !isForm {
                throw DirectoryError(.unsupportedMediaType, "The request body must be application/json.")
            }
            if isJSON && !StrictJSON.isValid(body.readableBytesView) {
                throw Self.invalidJSON
            }
        }
        var head = request.head
        if request.uri.path != "/" { head.headerFields[.accept] = nil }
        var forwarded = body
        if body.readableBytes == 0, head.headerFields[.contentType] == nil, request.method == .post,
            Self.bodyIsOptional(request.uri.path)
        {
            // The heartbeat's and the group join's bodies are optional, but the generated code
            // decodes an empty body as JSON and fails: an absent body says what `{}` says (no
            // updates; the group named by the query instead).
            forwarded = ByteBuffer(string: "{}")
            head.headerFields[.contentType] = "application/json"
        }
        var response = try await next(Request(head: head, body: .init(buffer: forwarded)), context)
        if response.headers[.contentType] == "text/html" {
            // The generated code names no charset; the pages are UTF-8 and say so.
            response.headers[.contentType] = "text/html; charset=utf-8"
        }
        return response
    }

    /// `POST /tenants/devices/{id}/heartbeat` and `POST /tenants/users/{id}/groups`.
    static func bodyIsOptional(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        return parts.count == 4 && parts[0] == "tenants"
            && ((parts[1] == "devices" && parts[3] == "heartbeat") || (parts[1] == "users" && parts[3] == "groups"))
    }

    /// Whether `accept` allows JSON (or, on the SCIM door, `application/scim+json`).
    static func acceptsJSON(_ accept: String, scim: Bool = false) -> Bool {
        accept.split(separator: ",").contains { item in
            let type = item.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            return type == "*/*" || type == "application/*" || type == "application/json" || type == "application/problem+json"
                || type.isEmpty || (scim && type == "application/scim+json")
        }
    }
}
