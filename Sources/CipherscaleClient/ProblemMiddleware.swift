import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Turns every answer outside 2xx (and 304) into a thrown ``CipherscaleProblem``, so callers of
/// the generated client only ever see the successful cases.
struct ProblemMiddleware: ClientMiddleware {
    /// The largest problem body read; the server's are a few hundred bytes.
    static let maxBody = 1 << 20

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, body, baseURL)
        if response.status.kind == .successful || response.status == .notModified { return (response, responseBody) }
        var data = Data()
        if let responseBody { data = try await Data(collecting: responseBody, upTo: Self.maxBody) }
        throw Self.problem(response, body: data)
    }

    /// The problem an answer carries: its problem document, or failing that its status line and text.
    static func problem(_ response: HTTPResponse, body: Data) -> CipherscaleProblem {
        let requestId = response.headerFields[HTTPField.Name("X-Request-Id")!]
        if let document = try? JSONDecoder().decode(ProblemDocument.self, from: body), document.title != nil || document.detail != nil {
            return CipherscaleProblem(
                status: document.status ?? response.status.code, title: document.title ?? response.status.reasonPhrase, detail: document.detail,
                errors: (document.errors ?? []).map { .init(pointer: $0.pointer ?? "", detail: $0.detail ?? "") },
                requestId: document.requestId ?? requestId
            )
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return CipherscaleProblem(
            status: response.status.code, title: response.status.reasonPhrase, detail: text.isEmpty ? nil : text, requestId: requestId)
    }

    /// The members of a problem document this client reads; every one optional, so a partial
    /// document still says what it can.
    private struct ProblemDocument: Decodable {
        struct Item: Decodable {
            var pointer: String?
            var detail: String?
        }

        var status: Int?
        var title: String?
        var detail: String?
        var errors: [Item]?
        var requestId: String?
    }
}
