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

    static func make(_ error: DirectoryError) -> Response {
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
        var response = make(status: status, type: type, title: status.reasonPhrase, detail: error.detail, errors: error.errors)
        if error.kind == .unauthorized { response.headers[.wwwAuthenticate] = "apikey" }
        return response
    }

    static func make(
        status: HTTPResponse.Status, type: String, title: String, detail: String, errors: [FieldError] = []
    ) -> Response {
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
