import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Sends the tenant's API key in the `apikey` header of every request.
struct APIKeyMiddleware: ClientMiddleware {
    /// The key, `csk_…`.
    var apiKey: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[HTTPField.Name("apikey")!] = apiKey
        return try await next(request, body, baseURL)
    }
}
