import Foundation

/// Why a request did not get an answer that could be used, apart from the server refusing it
/// (that is a ``CipherscaleProblem``).
public enum CipherscaleClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The server could not be reached at all: `cannot reach http://127.0.0.1:8080: connection refused`.
    case unreachable(url: String, reason: String)
    /// The server's URL is not an `http` or `https` URL with a host.
    case invalidURL(String)
    /// The server answered, but not as the contract says (an unknown status, a body that does not decode).
    case unexpectedAnswer(operation: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let reason): "cannot reach \(url): \(reason)"
        case .invalidURL(let url): "not an http(s) URL with a host: '\(url)'"
        case .unexpectedAnswer(let operation, let reason): "unexpected answer to \(operation): \(reason)"
        }
    }
}
