import AsyncHTTPClient
import CipherscaleAPI
import Foundation
import NIOCore
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

/// A client of a Cipherscale Directory server: the `Client` generated from `openapi.yaml`, sending
/// the tenant's API key, reading timestamps with milliseconds, and throwing every refused request
/// as a ``CipherscaleProblem``.
///
/// ```swift
/// let directory = try CipherscaleClient(url: "http://127.0.0.1:8080", apiKey: key)
/// let user = try await directory.send { try await $0.getUser(path: .init(id: id)).ok.body.json }
/// ```
///
/// Call the generated operations through ``send(_:)``, which also turns transport failures into
/// ``CipherscaleClientError/unreachable(url:reason:)``; ``api`` is the generated client itself.
public struct CipherscaleClient: Sendable {
    /// The server's base URL.
    public let url: URL
    /// The generated client, with the key, problem and query middleware in place.
    public let api: Client
    /// The parts `api` was made of, kept to make variants (``adding(query:)``).
    private let apiKey: String?
    private let transport: AsyncHTTPClientTransport
    private let query: [(name: String, value: String)]

    /// The dates of the contract: UTC, ISO 8601, with milliseconds (`2023-01-15T10:30:00.123Z`).
    public static let configuration = Configuration(dateTranscoder: .iso8601WithFractionalSeconds)

    /// A client of the server at `url` (such as `http://127.0.0.1:8080`), sending `apiKey` when
    /// given, over `httpClient` (the process-wide shared one unless told otherwise).
    public init(url: String, apiKey: String?, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(60)) throws {
        guard let base = Self.baseURL(url) else { throw CipherscaleClientError.invalidURL(url) }
        let transport = AsyncHTTPClientTransport(configuration: .init(client: httpClient, timeout: .nanoseconds(Int64(timeout / .nanoseconds(1)))))
        self.init(url: base, apiKey: apiKey, transport: transport, query: [])
    }

    private init(url: URL, apiKey: String?, transport: AsyncHTTPClientTransport, query: [(name: String, value: String)]) {
        self.url = url
        self.apiKey = apiKey
        self.transport = transport
        self.query = query
        var middlewares: [any ClientMiddleware] = [ProblemMiddleware()]
        if let apiKey { middlewares.append(APIKeyMiddleware(apiKey: apiKey)) }
        if !query.isEmpty { middlewares.append(QueryItemsMiddleware(items: query)) }
        api = Client(serverURL: url, configuration: Self.configuration, transport: transport, middlewares: middlewares)
    }

    /// `text` as a server's base URL, or nil when it is not an `http` or `https` URL with a host.
    public static func baseURL(_ text: String) -> URL? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            return nil
        }
        return url
    }

    /// The same client, adding `items` to the query of every request: for the list filters
    /// (``ListFilter/queryItem``), which the generated operations have no parameter for.
    public func adding(query items: [(name: String, value: String)]) -> CipherscaleClient {
        CipherscaleClient(url: url, apiKey: apiKey, transport: transport, query: query + items)
    }

    /// Runs `operation` on the generated client. A refused request throws its ``CipherscaleProblem``,
    /// a server that cannot be reached ``CipherscaleClientError/unreachable(url:reason:)``, and an
    /// answer outside the contract ``CipherscaleClientError/unexpectedAnswer(operation:reason:)``.
    public func send<Result>(_ operation: (Client) async throws -> Result) async throws -> Result {
        do {
            return try await operation(api)
        } catch {
            throw ClientFailure.unwrap(error, url: url)
        }
    }
}

extension CipherscaleClient {
    /// Runs `body` with a client of `url` on an HTTP client of its own, shut down afterwards, that
    /// gives up at once when the server cannot be reached (instead of retrying until the timeout,
    /// as the shared one does): what a command-line tool wants.
    public static func withClient<Result>(
        url: String, apiKey: String?, connectTimeout: Duration = .seconds(10), _ body: (CipherscaleClient) async throws -> Result
    ) async throws -> Result {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .nanoseconds(Int64(connectTimeout / .nanoseconds(1)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return try await HTTPClient.withHTTPClient(configuration: configuration) { httpClient in
            try await body(CipherscaleClient(url: url, apiKey: apiKey, httpClient: httpClient))
        }
    }
}
