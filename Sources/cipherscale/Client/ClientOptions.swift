import ArgumentParser
import CipherscaleClient
import Foundation

/// Where the server is and which key to send, for every client command.
struct ClientOptions: ParsableArguments {
    /// The server when neither `--url` nor `CIPHERSCALE_URL` says.
    static let defaultURL = "http://127.0.0.1:8080"

    @Option(help: "The server's base URL (env CIPHERSCALE_URL; default \(ClientOptions.defaultURL)).")
    var url: String?

    @Option(name: .customLong("api-key"), help: "The tenant's API key, csk_… (env CIPHERSCALE_API_KEY).")
    var apiKey: String?

    /// Runs `body` with a client of the chosen server; a missing key or a malformed URL is a usage error.
    func withClient<Result>(_ body: (CipherscaleClient) async throws -> Result) async throws -> Result {
        let environment = ProcessInfo.processInfo.environment
        let url = url ?? environment["CIPHERSCALE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultURL
        guard let key = apiKey ?? environment["CIPHERSCALE_API_KEY"], !key.isEmpty else {
            throw ValidationError("No API key: pass --api-key or set CIPHERSCALE_API_KEY.")
        }
        do {
            return try await CipherscaleClient.withClient(url: url, apiKey: key, body)
        } catch CipherscaleClientError.invalidURL(let text) {
            throw ValidationError("--url must be an http(s) URL with a host; got '\(text)'.")
        }
    }
}
