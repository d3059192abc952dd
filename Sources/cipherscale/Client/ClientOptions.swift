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

    /// The URL to use: `--url`, else `CIPHERSCALE_URL`, else the default.
    var resolvedURL: String {
        url ?? ProcessInfo.processInfo.environment["CIPHERSCALE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultURL
    }

    /// The key to send: `--api-key`, else `CIPHERSCALE_API_KEY`.
    var resolvedKey: String? {
        (apiKey ?? ProcessInfo.processInfo.environment["CIPHERSCALE_API_KEY"]).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A missing key or a malformed URL is a usage error, found while parsing (so the message shows the command's usage).
    func validate() throws {
        guard resolvedKey != nil else { throw ValidationError("No API key: pass --api-key or set CIPHERSCALE_API_KEY.") }
        guard CipherscaleClient.baseURL(resolvedURL) != nil else {
            throw ValidationError("--url (or CIPHERSCALE_URL) must be an http(s) URL with a host; got '\(resolvedURL)'.")
        }
    }

    /// Runs `body` with a client of the chosen server.
    func withClient<Result>(_ body: (CipherscaleClient) async throws -> Result) async throws -> Result {
        try await CipherscaleClient.withClient(url: resolvedURL, apiKey: resolvedKey, body)
    }
}
