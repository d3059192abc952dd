import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Appends query parameters the generated client cannot express: the list filters
/// `filter[field][op]=value`, deep-object parameters that OpenAPI 3.1 has no way to declare
/// for arbitrary field names, so `openapi.yaml` describes them in prose only.
struct QueryItemsMiddleware: ClientMiddleware {
    /// The parameters, in order, not yet encoded.
    var items: [(name: String, value: String)]

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard !items.isEmpty, let path = request.path else { return try await next(request, body, baseURL) }
        var request = request
        let encoded = items.map { "\(Self.encode($0.name))=\(Self.encode($0.value))" }.joined(separator: "&")
        request.path = path + (path.contains("?") ? "&" : "?") + encoded
        return try await next(request, body, baseURL)
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters, so `+`, `&`, `=`, `[` and `]`
    /// in names and values reach the server as themselves.
    static func encode(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
