import CipherscaleAPI
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Builds `application/problem+json` responses.
enum ProblemResponse {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The answer for `error`: problem+json, or an HTML page when `request` comes from a person's
    /// browser on the invitation pages (see ``InvitationPages/isBrowserRequest(_:)``).
    static func make(_ error: DirectoryError, for request: Request? = nil) -> Response {
        let (status, type): (HTTPResponse.Status, String) =
            switch error.kind {
            case .invalidInput: (.badRequest, "invalid-input")
            case .unauthorized: (.unauthorized, "unauthorized")
            case .forbidden: (.forbidden, "forbidden")
            case .notFound: (.notFound, "not-found")
            case .methodNotAllowed: (.methodNotAllowed, "method-not-allowed")
            case .notAcceptable: (.notAcceptable, "not-acceptable")
            case .conflict: (.conflict, "conflict")
            case .payloadTooLarge: (.contentTooLarge, "payload-too-large")
            case .unsupportedMediaType: (.unsupportedMediaType, "unsupported-media-type")
            case .unknownReference: (.unprocessableContent, "unknown-reference")
            case .unprocessable: (.unprocessableContent, "unprocessable")
            case .preconditionFailed: (.preconditionFailed, "precondition-failed")
            case .gone: (.gone, "gone")
            case .tooManyRequests: (.tooManyRequests, "too-many-requests")
            case .unavailable: (.serviceUnavailable, "unavailable")
            }
        var response = make(status: status, type: type, title: status.reasonPhrase, detail: error.detail, errors: error.errors, for: request)
        if error.kind == .unauthorized { response.headers[.wwwAuthenticate] = "apikey" }
        return response
    }

    static func make(
        status: HTTPResponse.Status, type: String, title: String, detail: String, errors: [FieldError] = [], for request: Request? = nil
    ) -> Response {
        if let request, InvitationPages.isBrowserRequest(request) {
            let page = InvitationPages.problem(status: status, detail: detail, errors: errors)
            return Response(
                status: status, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
        }
        let body = Components.Schemas.Problem(
            _type: "urn:cipherscale:problem:\(type)", title: title, status: status.code, detail: detail,
            requestId: RequestScope.current.requestId,
            errors: errors.isEmpty ? nil : errors.map { Components.Schemas.ProblemFieldError(pointer: $0.location.pointer, detail: $0.detail) }
        )
        let data = (try? Self.encoder.encode(body)) ?? Data("{\"title\":\"\(title)\",\"status\":\(status.code)}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/problem+json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
