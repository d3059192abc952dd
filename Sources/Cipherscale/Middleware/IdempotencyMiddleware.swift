import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `Idempotency-Key` on POST: the first answer is stored for 24 hours and sent again, byte for byte
/// with `Idempotent-Replayed: true`, for a retry with the same key, method, path and body. The same key
/// with a different request is 422; a retry while the first is still running is 409. Keys are scoped
/// to the API key that sent them, or on an invitation's acceptance (no API key) to the invitation
/// (``IdempotencyScope``). Answers with a 5xx status, and 429s, are not stored, so such a retry runs again.
///
/// Sits outside ``ProblemMiddleware`` so it stores what the client actually received, errors included.
struct IdempotencyMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Where answers are kept.
    let store: any IdempotencyRepository
    /// The time of each claim.
    let clock: any DirectoryClock

    static var headerName: HTTPField.Name { HTTPField.Name("Idempotency-Key")! }
    static var replayedHeader: HTTPField.Name { HTTPField.Name("Idempotent-Replayed")! }
    /// The answer headers kept with the body.
    static var keptHeaders: [HTTPField.Name] { [.contentType, .eTag, .location] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let key = request.headers[Self.headerName],
            let scope = Self.scope(of: request)
        else { return try await next(request, context) }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            return ProblemResponse.make(
                DirectoryError(
                    .invalidInput, "Idempotency-Key must be 1 to 255 visible ASCII characters.",
                    errors: [FieldError(.header("Idempotency-Key"), "is not valid")])
            )
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: BodyLimitMiddleware<Context>.maxBodyBytes)
        } catch {
            // Too large: let the content rules answer 413 as usual.
            return try await next(request, context)
        }
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.path)?\(request.uri.query ?? "")\n".utf8))
        // A JSON body is compared by content, not by bytes: a client that serialises the same
        // object again with its keys in another order is making the same request.
        let bytes = Data(body.readableBytesView)
        if let object = try? JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed]),
            let canonical = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
        {
            hasher.update(data: canonical)
        } else {
            hasher.update(data: bytes)
        }
        let requestHash = Hex.encode(hasher.finalize())

        let start: IdempotencyStart
        do {
            start = try await store.start(scope: scope, key: key, requestHash: requestHash, now: clock.now())
        } catch let error as DirectoryError {
            return ProblemResponse.make(error)
        }
        switch start {
        case .mismatch:
            return ProblemResponse.make(
                DirectoryError(.unprocessable, "This Idempotency-Key was used for a different request in the last 24 hours; use a new key.")
            )
        case .inProgress:
            return ProblemResponse.make(DirectoryError(.conflict, "A request with this Idempotency-Key is still being processed; retry shortly."))
        case .replay(let status, let headers, let text):
            var fields = HTTPFields()
            for (name, value) in headers { if let name = HTTPField.Name(name) { fields[name] = value } }
            fields[Self.replayedHeader] = "true"
            return Response(status: .init(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        case .run:
            break
        }

        let response: Response
        do {
            response = try await next(Request(head: request.head, body: .init(buffer: body)), context)
        } catch {
            try? await store.abandon(scope: scope, key: key)
            throw error
        }
        // A refusal to be retried later (rate limit, server failure) is not the answer to keep.
        guard response.status.code < 500, response.status != .tooManyRequests else {
            try? await store.abandon(scope: scope, key: key)
            return response
        }
        let collector = CollectingWriter()
        try await response.body.write(collector)
        var headers: [String: String] = [:]
        for name in Self.keptHeaders { if let value = response.headers[name] { headers[name.canonicalName] = value } }
        do {
            try await store.finish(
                scope: scope, key: key, status: response.status.code, headers: headers, body: String(buffer: collector.buffer)
            )
        } catch {
            // The change happened; failing to remember the answer must not turn it into an error.
            context.logger.error("could not store an idempotent answer", metadata: ["error": "\(error)"])
        }
        var answer = response
        answer.body = ResponseBody(byteBuffer: collector.buffer)
        return answer
    }

    /// The scope of a request's keys: its API key, or for `POST /invitations/{token}/accept` the
    /// invitation (the token is its credential); nil for any other request without an API key.
    static func scope(of request: Request) -> IdempotencyScope? {
        if let principal = RequestScope.current.principal { return .apiKey(principal.keyId) }
        let parts = request.uri.path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, parts[1] == "invitations", !parts[2].isEmpty, parts[3] == "accept" else { return nil }
        let token = String(parts[2])
        return .invitation(tokenHash: Secrets.hash(token.removingPercentEncoding ?? token))
    }
}
