import CipherscaleAPI
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAPIRuntime
import Synchronization

/// The one place that turns failures into RFC 9457 `application/problem+json` responses,
/// whatever the request's `Accept` says.
///
/// - ``DirectoryError`` maps by kind.
/// - Errors of the generated code while decoding input (bad JSON, wrong types, missing fields or
///   parameters) are 400 (``PathResolutionMiddleware`` has already answered 404 for an unknown path id).
/// - Hummingbird's own errors keep their status (404 unknown route, 405 wrong method, 413 too large).
/// - Anything else is a 500 with a generic body and one log line carrying the request id.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The registered routes, for telling 405 from 404.
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return response(for: error, request: request, context: context)
        }
    }

    private func response(for error: any Error, request: Request, context: Context) -> Response {
        switch error {
        case let error as DirectoryError:
            return ProblemResponse.make(error)
        case let error as ServerError:
            if let domain = error.underlyingError as? DirectoryError {
                return ProblemResponse.make(domain)
            }
            if error.operationInput == nil {
                // The generated code could not decode the request.
                return ProblemResponse.make(Self.decodingProblem(error))
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
                return ProblemResponse.make(
                    DirectoryError(.payloadTooLarge, "The request body is larger than \(BodyLimitMiddleware<Context>.maxBodyBytes) bytes."))
            default:
                if (400..<500).contains(error.status.code) {
                    return ProblemResponse.make(
                        status: error.status, type: "http-error", title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase)
                }
                return internalError(error, context: context)
            }
        default:
            return internalError(error, context: context)
        }
    }

    private func internalError(_ error: any Error, context: Context) -> Response {
        context.logger.error("unexpected error", metadata: ["error_type": "\(type(of: error))", "error": "\(String(reflecting: error))"])
        return ProblemResponse.make(
            status: .internalServerError, type: "internal", title: "Internal Server Error",
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
                errors.append(FieldError(.pointer(pointer(context.codingPath + [key])), "is required"))
                detail = "A required field is missing."
            case .typeMismatch(let type, let context):
                errors.append(FieldError(.pointer(pointer(context.codingPath)), "must be of type \(type)"))
                detail = "A field has the wrong type."
            case .valueNotFound(let type, let context):
                errors.append(FieldError(.pointer(pointer(context.codingPath)), "must be a \(type), not null"))
                detail = "A required field is null."
            case .dataCorrupted(let context):
                if context.codingPath.isEmpty {
                    detail = "The request body is not valid JSON or does not match the schema."
                } else {
                    errors.append(FieldError(.pointer(pointer(context.codingPath)), context.debugDescription))
                    detail = "A field has an invalid value."
                }
            @unknown default:
                break
            }
        }
        return DirectoryError.invalid(detail, errors)
    }
}
