import CipherscaleAPI
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Builds `application/problem+json` responses.
enum ProblemResponse {
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
        // Written straight to bytes (keys in the order the encoder sorted them before): this runs
        // for every refused request, and JSONEncoder was a tenth of a 404's cost.
        var json = JSONWriter()
        json.beginObject()
        json.key("detail")
        json.value(detail)
        if !errors.isEmpty {
            json.key("errors")
            json.beginArray()
            for error in errors {
                json.beginObject()
                json.key("detail")
                json.value(error.detail)
                json.key("pointer")
                json.value(error.location.pointer)
                json.endObject()
            }
            json.endArray()
        }
        if let requestId = RequestScope.current.requestId {
            json.key("requestId")
            json.value(requestId)
        }
        json.key("status")
        json.value(status.code)
        json.key("title")
        json.value(title)
        json.key("type")
        json.value("urn:cipherscale:problem:\(type)")
        json.endObject()
        return Response(
            status: status,
            headers: [.contentType: "application/problem+json"],
            body: ResponseBody(byteBuffer: json.buffer)
        )
    }
}
