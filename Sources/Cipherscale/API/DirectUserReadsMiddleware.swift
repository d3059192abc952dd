import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Answers the two hottest reads, `GET /tenants/users/{id}` and `GET /tenants/users`, with
/// ``UserJSON``'s bytes instead of the generated handler's `JSONEncoder`, through the same handler
/// code (``APIImplementation/readUser(id:)`` and ``APIImplementation/readUsers()``).
///
/// It is the innermost middleware: the route is resolved, the caller authenticated and every content
/// rule applied before it runs, and errors go to ``ProblemMiddleware`` as from any handler. A request
/// whose parameters the generated decoder might read differently (a list parameter given twice or
/// with a broken escape, an escaped path id) is passed on to the generated handler, so such a request
/// is answered exactly as before.
struct DirectUserReadsMiddleware<Context: RequestContext>: RouterMiddleware {
    let api: APIImplementation

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get else { return try await next(request, context) }
        switch context.endpointPath {
        case "/tenants/users/{id}":
            guard let id = context.parameters.get("id"), !id.contains("%") else { break }
            let user = try await api.readUser(id: id)
            return Self.json(UserJSON.user(user), eTag: EntityTag.of(user))
        case "/tenants/users":
            guard Self.listParametersAreUnambiguous(request.uri.query) else { break }
            return Self.json(UserJSON.page(try await api.readUsers()), eTag: nil)
        default: break
        }
        return try await next(request, context)
    }

    /// Whether each parameter the generated decoder reads appears at most once, with valid escapes,
    /// and `limit` and `offset` are integers.
    static func listParametersAreUnambiguous(_ rawQuery: String?) -> Bool {
        guard let rawQuery, !rawQuery.isEmpty else { return true }
        var seen = Set<String>()
        for part in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = pieces[0].replacingOccurrences(of: "+", with: " ").removingPercentEncoding else { return false }
            // Only the parameters the generated decoder reads itself; the rest are ListQuery's alone.
            switch key {
            case "limit", "offset", "after", "search": break
            default: continue
            }
            guard seen.insert(key).inserted else { return false }
            let value = pieces.count > 1 ? pieces[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding : ""
            guard let value else { return false }
            // The generated decoder refuses a number it cannot read with its own message: leave it that answer.
            if key == "limit" || key == "offset", Int(value) == nil { return false }
        }
        return true
    }

    /// A 200 with a JSON body, as the generated handlers send it.
    static func json(_ body: ByteBuffer, eTag: String?) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let eTag { headers[.eTag] = eTag }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}
