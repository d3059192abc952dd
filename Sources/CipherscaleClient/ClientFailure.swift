import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import OpenAPIRuntime

/// What a failed call of the generated client means for its caller.
enum ClientFailure {
    /// The error to throw for `error`: the problem a middleware found, `unreachable` for a failure
    /// to connect or to get an answer, `unexpectedAnswer` for an answer outside the contract.
    static func unwrap(_ error: any Error, url: URL) -> any Error {
        var cause = error
        var operation = "the request"
        var answered = false
        // The runtime wraps what a middleware or the transport throws, sometimes twice.
        while let wrapped = cause as? ClientError {
            operation = wrapped.operationID
            answered = answered || wrapped.response != nil
            cause = wrapped.underlyingError
        }
        if cause is CipherscaleProblem || cause is CipherscaleClientError { return cause }
        if !answered, let reason = transportReason(cause) {
            return CipherscaleClientError.unreachable(url: url.absoluteString, reason: reason)
        }
        return CipherscaleClientError.unexpectedAnswer(operation: operation, reason: firstLine(cause))
    }

    /// Why no answer came, for the errors of connecting and talking to the server; nil for others.
    static func transportReason(_ error: any Error) -> String? {
        switch error {
        case let error as IOError:
            return errnoText(error.errnoCode)
        case let error as NIOConnectionError:
            // One failure per address tried; the first names the cause.
            if let first = error.connectionErrors.first { return transportReason(first.error) ?? firstLine(first.error) }
            return "cannot resolve the host name \(error.host)"
        case let error as SocketAddressError.UnknownHost:
            return "cannot resolve the host name \(error.host)"
        case let error as ChannelError:
            if case .connectTimeout(let limit) = error { return "no answer within \(limit.nanoseconds / 1_000_000_000) s" }
            return "\(error)"
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return "no connection within the connect timeout"
            case .readTimeout, .deadlineExceeded: return "no answer in time"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return "\(error)"
            }
        case let error as POSIXError:
            return errnoText(error.code.rawValue)
        default:
            return nil
        }
    }

    /// The first line of an error's text.
    static func firstLine(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
    }

    /// The C library's text for `code`, in lower case to read inside a sentence (`connection refused`).
    private static func errnoText(_ code: CInt) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
