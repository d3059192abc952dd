import Synchronization
import CipherscaleAPI
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import OpenAPIRuntime

/// The one place that turns failures into RFC 9457 `application/problem+json` responses,
/// whatever the request's `Accept` says.
///
/// - ``DirectoryError`` maps by kind.
/// - Errors of the generated code while decoding input (bad JSON, wrong types, missing fields or
///   parameters) are 400, except that a path id that does not exist in the tenant is 404 first.
/// - Hummingbird's own errors keep their status (404 unknown route, 405 wrong method, 413 too large).
/// - Anything else is a 500 with a generic body and one log line carrying the request id.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Used to resolve path ids before reporting a malformed body.
    let directory: Directory
    /// The registered routes, for telling 405 from 404.
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return await response(for: error, request: request, context: context)
        }
    }

    private func response(for error: any Error, request: Request, context: Context) async -> Response {
        switch error {
        case let error as DirectoryError:
            return ProblemResponse.make(await pathFirst(error, request: request))
        case let error as ServerError:
            if let domain = error.underlyingError as? DirectoryError {
                return ProblemResponse.make(await pathFirst(domain, request: request))
            }
            if error.operationInput == nil {
                // The generated code could not decode the request.
                return ProblemResponse.make(await pathFirst(Self.decodingProblem(error), request: request))
            }
            return internalError(error, context: context)
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                if let allowed = routes.allowedMethods(for: request.uri.path), !allowed.isEmpty {
                    var response = ProblemResponse.make(
                        DirectoryError(.methodNotAllowed, "\(request.method) is not allowed here; use \(allowed.joined(separator: ", ")).")
                    )
                    response.headers[.allow] = allowed.joined(separator: ", ")
                    return response
                }
                return ProblemResponse.make(DirectoryError(.notFound, "No route matches \(request.method) \(request.uri.path)."))
            case .contentTooLarge:
                return ProblemResponse.make(DirectoryError(.payloadTooLarge, "The request body is larger than \(BodyLimitMiddleware<Context>.maxBodyBytes) bytes."))
            default:
                if (400..<500).contains(error.status.code) {
                    return ProblemResponse.make(status: error.status, type: "http-error", title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase)
                }
                return internalError(error, context: context)
            }
        default:
            return internalError(error, context: context)
        }
    }

    /// A path id is resolved before the body: when the body is bad but the user, group or role in
    /// the path does not exist in the caller's tenant, the answer is that 404.
    private func pathFirst(_ error: DirectoryError, request: Request) async -> DirectoryError {
        guard error.kind == .invalidInput || error.kind == .unsupportedMediaType,
            let pathError = await resolvePathIds(request), pathError.kind == .notFound
        else { return error }
        return pathError
    }

    /// Checks the user, group or role id that a `/tenants/...` path starts with.
    private func resolvePathIds(_ request: Request) async -> DirectoryError? {
        guard let principal = RequestScope.current.principal else { return nil }
        let parts = request.uri.path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "tenants" else { return nil }
        do {
            switch parts[1] {
            case "users": _ = try await directory.user(principal, id: parts[2])
            case "groups": _ = try await directory.group(principal, id: parts[2])
            case "roles": _ = try await directory.role(principal, id: parts[2])
            default: return nil
            }
        } catch let error as DirectoryError {
            return error
        } catch {
            return nil
        }
        return nil
    }

    private func internalError(_ error: any Error, context: Context) -> Response {
        context.logger.error("unexpected error", metadata: ["error_type": "\(type(of: error))", "error": "\(String(reflecting: error))"])
        return ProblemResponse.make(status: .internalServerError, type: "internal", title: "Internal Server Error",
            detail: "The server failed to handle the request. Quote the X-Request-Id when reporting it.")
    }

    /// Explains a decoding failure of the generated code as a 400 with the offending field when known.
    static func decodingProblem(_ error: ServerError) -> DirectoryError {
        var errors: [FieldError] = []
        var detail = "The request is not valid: \(error.causeDescription)."
        func pointer(_ path: [any CodingKey]) -> String {
            "/" + path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "/")
        }
        if let decoding = error.underlyingError as? DecodingError {
            switch decoding {
            case .keyNotFound(let key, let context):
                errors.append(FieldError(pointer(context.codingPath + [key]), "is required"))
                detail = "A required field is missing."
            case .typeMismatch(let type, let context):
                errors.append(FieldError(pointer(context.codingPath), "must be of type \(type)"))
                detail = "A field has the wrong type."
            case .valueNotFound(let type, let context):
                errors.append(FieldError(pointer(context.codingPath), "must be a \(type), not null"))
                detail = "A required field is null."
            case .dataCorrupted(let context):
                if context.codingPath.isEmpty {
                    detail = "The request body is not valid JSON or does not match the schema."
                } else {
                    errors.append(FieldError(pointer(context.codingPath), context.debugDescription))
                    detail = "A field has an invalid value."
                }
            @unknown default:
                break
            }
        }
        return DirectoryError.invalid(detail, errors)
    }
}

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
            requestId: RequestScope.requestId,
            errors: errors.isEmpty ? nil : errors.map { Components.Schemas.ProblemFieldError(pointer: $0.pointer, detail: $0.detail) }
        )
        let data = (try? Self.encoder.encode(body)) ?? Data("{\"title\":\"\(title)\",\"status\":\(status.code)}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/problem+json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

/// The registered routes (filled once the router is built), for answering 405 with an `Allow` header.
final class RouteTable: Sendable {
    private let entries: Mutex<[(segments: [String], method: String)]> = Mutex([])

    /// Records the router's routes.
    func record(_ routes: [(path: String, method: String)]) {
        entries.withLock { entries in
            entries = routes.map { (segments: $0.path.split(separator: "/").map(String.init), method: $0.method) }
        }
    }

    /// The methods registered for a path, or nil when no route has this path.
    func allowedMethods(for path: String) -> [String]? {
        let parts = path.split(separator: "/").map(String.init)
        let methods = entries.withLock { entries in
            entries.filter { entry in
                entry.segments.count == parts.count
                    && zip(entry.segments, parts).allSatisfy { pattern, part in pattern.hasPrefix("{") || pattern.hasPrefix(":") || pattern == part }
            }.map(\.method)
        }
        return methods.isEmpty ? nil : Array(Set(methods)).sorted()
    }
}
