import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// SCIM 2.0 at `/scim/v2` (RFC 7643 and 7644): identity providers create, update, deactivate and
/// group users over the same services as the REST API, so every rule and audit entry holds here too.
///
/// Entry points only: each handler authenticates the API key (`Authorization: Bearer`, or the
/// `apikey` header), reads the SCIM body or query, calls services and writes the SCIM answer.
/// Errors become the SCIM error schema in ``ScimErrors``.
struct ScimController: Sendable {
    let services: DirectoryServices
    /// The per-key limit shared with the REST API; nil when unlimited.
    let limiter: KeyRateLimit?
    /// `PUBLIC_BASE_URL` (with `BASE_PATH`) when configured; else locations follow the request's `Host`.
    let publicBaseURL: String?

    static let root = "/scim/v2"
    static let contentType = "application/scim+json"

    func register(on router: Router<DirectoryRequestContext>) {
        let root = Self.root
        router.get("\(root)/ServiceProviderConfig") { request, _ in
            _ = try await operation(request, writes: false)
            return Self.json(ScimDiscovery.serviceProviderConfig(base: base(request)))
        }
        router.get("\(root)/ResourceTypes") { request, _ in
            _ = try await operation(request, writes: false)
            return Self.json(Self.list(ScimDiscovery.resourceTypes(base: base(request)), total: 2, startIndex: 1))
        }
        router.get("\(root)/ResourceTypes/:id") { request, context in
            _ = try await operation(request, writes: false)
            let id = context.parameters.get("id") ?? ""
            guard let type = ScimDiscovery.resourceTypes(base: base(request)).first(where: { $0["id"]?.text == id }) else {
                throw ScimError.notFound("No resource type \(id); there are User and Group.")
            }
            return Self.json(type)
        }
        router.get("\(root)/Schemas") { request, _ in
            _ = try await operation(request, writes: false)
            return Self.json(Self.list(ScimDiscovery.schemas(base: base(request)), total: 2, startIndex: 1))
        }
        router.get("\(root)/Schemas/:id") { request, context in
            _ = try await operation(request, writes: false)
            let id = (context.parameters.get("id") ?? "").removingPercentEncoding ?? ""
            guard let schema = ScimDiscovery.schemas(base: base(request)).first(where: { $0["id"]?.text?.lowercased() == id.lowercased() }) else {
                throw ScimError.notFound("No schema \(id).")
            }
            return Self.json(schema)
        }
        router.post("\(root)/.search") { request, _ in try await searchEverything(request) }
        registerUsers(on: router)
        registerGroups(on: router)
    }

    // MARK: Shared

    /// Authenticates the request's key (401), applies the per-key rate limit (429) and read-only
    /// keys (403 on writes), and gives the operation context of the request.
    func operation(_ request: Request, writes: Bool) async throws -> OperationContext {
        var key = request.headers[AuthMiddleware<DirectoryRequestContext>.apiKeyHeader]
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw ScimError(status: 401, detail: "Send the API key as Authorization: Bearer <key>.")
            }
            key = parts[1].trimmingCharacters(in: .whitespaces)
        }
        guard let key, !key.isEmpty else {
            DirectoryMetrics.authFailure("scim")
            throw ScimError(status: 401, detail: "Send the API key as Authorization: Bearer <key>.")
        }
        let principal: Principal
        do {
            principal = try await services.keys.authenticate(apiKey: key)
        } catch let error as DirectoryError where error.kind == .unauthorized {
            DirectoryMetrics.authFailure("scim")
            throw ScimError(status: 401, detail: "The API key is not valid.")
        }
        if let limiter, let retryAfter = await limiter.take(principal.keyId.rawValue).retryAfter {
            DirectoryMetrics.rateLimited("api_key")
            throw ScimError(
                status: 429, detail: "This API key made more than \(Int(limiter.rate)) requests per second; retry in \(retryAfter) s.",
                retryAfter: retryAfter)
        }
        if writes && principal.readOnly { throw ScimError(status: 403, detail: "This API key is read-only.") }
        return OperationContext(
            tenantId: principal.tenantId, actor: .apiKey(principal.keyId.rawValue), requestId: RequestScope.current.requestId,
            ifMatch: request.headers[.ifMatch], now: services.clock.now(), traceParent: RequestScope.current.traceParent)
    }

    /// The absolute URL of `/scim/v2`, for `meta.location` and references.
    func base(_ request: Request) -> String {
        if let publicBaseURL { return publicBaseURL + Self.root }
        return "http://" + (request.head.authority ?? "localhost") + RequestScope.current.basePath + Self.root
    }

    /// The request body as JSON (`invalidSyntax` otherwise).
    static func body(_ request: Request) async throws -> JSONValue {
        var request = request
        return try JSONValue.parse(try await request.collectBody(upTo: BodyLimitMiddleware<DirectoryRequestContext>.maxBodyBytes))
    }

    /// A SCIM answer.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, version: String? = nil, location: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        if let version { headers[.eTag] = version }
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: value.bytes))
    }

    /// A ListResponse of `resources`.
    static func list(_ resources: [JSONValue], total: Int, startIndex: Int) -> JSONValue {
        [
            "schemas": [.string(ScimURN.listResponse)], "totalResults": .number(Double(total)), "startIndex": .number(Double(startIndex)),
            "itemsPerPage": .number(Double(resources.count)), "Resources": .array(resources),
        ]
    }

    /// `POST /.search` at the root: users, then groups, as one list (a filter naming attributes of one
    /// type only matches resources of that type).
    private func searchEverything(_ request: Request) async throws -> Response {
        let context = try await operation(request, writes: false)
        let search = try ScimListRequest(body: try await Self.body(request))
        var users: ScimPage<User>?
        var groups: ScimPage<Group>?
        var refusal: ScimError?
        do { users = try await services.users.search(search.query, context: context) } catch let error as ScimError { refusal = error }
        do {
            // Groups follow the users: their page starts where the users' matches end.
            var query = search.query
            let before = users?.total ?? 0
            query.startIndex = max(1, search.query.startIndex - before)
            query.count = max(0, search.query.count - (users?.items.count ?? 0))
            groups = try await services.groups.search(query, allMembers: search.projection.includes("members"), context: context)
        } catch let error as ScimError { refusal = error }
        if users == nil && groups == nil, let refusal { throw refusal }
        let base = base(request)
        let resources =
            (users?.items ?? []).map { search.projection.apply(ScimUserResource.json($0, base: base)) }
            + (groups?.items ?? []).map {
                search.projection.apply(ScimGroupResource.json($0, base: base, display: search.projection.requests("members", "display")))
            }
        return Self.json(Self.list(resources, total: (users?.total ?? 0) + (groups?.total ?? 0), startIndex: search.query.startIndex))
    }
}
