import Foundation
import HTTPTypes
import Hummingbird

/// `If-None-Match` on a GET: when the answer's `ETag` matches, the answer is `304 Not Modified`
/// without a body (the `ETag` is kept), so a client can poll a user or group for the cost of a hash.
///
/// It also undoes the generated code's percent-encoding of the `ETag` and `Link` headers (it encodes header
/// values like URI components, which would turn the required quotes into `%22`).
struct ConditionalRequestMiddleware<Context: RequestContext>: RouterMiddleware {
    static var link: HTTPField.Name { HTTPField.Name("Link")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        // The generated code percent-encodes header values; ETag and Link are sent as written.
        for name in [HTTPField.Name.eTag, Self.link] {
            if let value = response.headers[name], value.contains("%") { response.headers[name] = value.removingPercentEncoding ?? value }
        }
        guard request.method == .get || request.method == .head, response.status == .ok,
            let condition = request.headers[.ifNoneMatch], let tag = response.headers[.eTag],
            EntityTag.ifNoneMatch(condition, current: tag)
        else { return response }
        var headers = HTTPFields()
        headers[.eTag] = tag
        return Response(status: .notModified, headers: headers, body: ResponseBody())
    }
}
