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
            if let error = error as? ScimError { return ScimErrors.response(error) }
            let problem = response(for: error, request: request, context: context)
            // The console's door answers people: a page, not problem+json.
            if request.uri.path == "/console" || request.uri.path.hasPrefix("/console/") { return ConsoleViews.errorPage(status: problem.status) }
            // SCIM clients expect the SCIM error schema.
            if ScimErrors.isScim(request.uri.path) { return ScimErrors.response(for: error, problem: problem) }
            return problem
        }
    }

    private func response(for error: any Error, request: Request, context: Context) -> Response {
        switch error {
        case let error as DirectoryError:
            return ProblemResponse.make(error, for: request)
        case let error as ServerError:
            if let domain = error.underlyingError as? DirectoryError {
                return ProblemResponse.make(domain, for: request)
            }
            if error.operationInput == nil {
                // The generated code could not decode the request.
                return ProblemResponse.make(DecodingProblem.explain(error, request: request), for: request)
            }
            return internalError(error, request: request, context: context)
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
                    DirectoryError(.payloadTooLarge, "The request body is larger than \(BodyLimitMiddleware<Context>.maxBodyBytes) bytes."),
                    for: request)
            default:
                if (400..<500).contains(error.status.code) {
                    return ProblemResponse.make(
                        status: error.status, type: "http-error", title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase,
                        for: request)
                }
                return internalError(error, request: request, context: context)
            }
        default:
            return internalError(error, request: request, context: context)
        }
    }

    private func internalError(_ error: any Error, request: Request, context: Context) -> Response {
        context.logger.error("unexpected error", metadata: ["error_type": "\(type(of: error))", "error": "\(String(reflecting: error))"])
        return ProblemResponse.make(
            status: .internalServerError, type: "internal", title: "Internal Server Error",
            detail: "The server failed to handle the request. Quote the X-Request-Id when reporting it.", for: request)
    }
}
