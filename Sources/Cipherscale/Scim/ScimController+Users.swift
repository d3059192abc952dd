import Hummingbird

extension ScimController {
    func registerUsers(on router: Router<DirectoryRequestContext>) {
        let path = "\(Self.root)/Users"
        router.get(RouterPath(path)) { request, _ in
            try await listUsers(request, search: try ScimListRequest(parameters: Self.parameters(request)))
        }
        router.post("\(path)/.search") { request, _ in
            try await listUsers(request, search: try ScimListRequest(body: try await Self.body(request)))
        }
        router.post(RouterPath(path)) { request, _ in try await createUser(request) }
        router.get("\(path)/:id") { request, context in
            let operation = try await operation(request, writes: false)
            let user = try await services.users.user(try Self.userId(context), context: operation)
            return try userAnswer(user, request: request)
        }
        router.put("\(path)/:id") { request, context in try await replaceUser(request, id: try Self.userId(context)) }
        router.patch("\(path)/:id") { request, context in try await patchUser(request, id: try Self.userId(context)) }
        router.delete("\(path)/:id") { request, context in
            let operation = try await operation(request, writes: true)
            try await services.users.delete(try Self.userId(context), context: operation)
            return Response(status: .noContent)
        }
    }

    /// The path's user id; anything that is not one is 404, as for an id of another tenant.
    static func userId(_ context: DirectoryRequestContext) throws -> UserID {
        guard let id = context.parameters.get("id").flatMap(UserID.init) else { throw ScimError.notFound("No user with this id exists.") }
        return id
    }

    /// The query parameters of a request, by name.
    static func parameters(_ request: Request) -> [String: String] {
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { parameters[String(name)] = String(value) }
        return parameters
    }

    private func listUsers(_ request: Request, search: ScimListRequest) async throws -> Response {
        let context = try await operation(request, writes: false)
        let page = try await services.users.search(search.query, context: context)
        let base = base(request)
        let resources = page.items.map { search.projection.apply(ScimUserResource.json($0, base: base)) }
        return Self.json(Self.list(resources, total: page.total, startIndex: search.query.startIndex))
    }

    /// A user answer with its `ETag`, projected by the request's `attributes`/`excludedAttributes`.
    private func userAnswer(_ user: User, request: Request, status: HTTPResponse.Status = .ok) throws -> Response {
        let parameters = Self.parameters(request)
        let projection = try ScimProjection(
            attributes: parameters["attributes"].map { [$0] }, excluded: parameters["excludedAttributes"].map { [$0] })
        let base = base(request)
        return Self.json(
            projection.apply(ScimUserResource.json(user, base: base)), status: status, version: EntityTag.of(user),
            location: status == .created ? ScimUserResource.location(user.id, base: base) : nil)
    }

    private func createUser(_ request: Request) async throws -> Response {
        let context = try await operation(request, writes: true)
        let state = try ScimUserResource.state(from: try await Self.body(request), current: nil)
        return try userAnswer(try await services.users.provision(state, context: context), request: request, status: .created)
    }

    private func replaceUser(_ request: Request, id: UserID) async throws -> Response {
        let context = try await operation(request, writes: true)
        let body = try await Self.body(request)
        let current = try await services.users.user(id, context: context)
        let state = try ScimUserResource.state(from: body, current: current)
        return try userAnswer(try await provision(id, state, context: context), request: request)
    }

    private func patchUser(_ request: Request, id: UserID) async throws -> Response {
        let context = try await operation(request, writes: true)
        let operations = try ScimPatchOperation.parse(try await Self.body(request))
        let patch = ScimPatch(schema: ScimURN.user, readOnly: ["id", "meta", "groups"])
        let user = try await Self.readModifyWrite(context) { context in
            let current = try await services.users.user(id, context: context)
            let patched = try patch.apply(operations, to: ScimUserResource.json(current, base: ""))
            return (
                EntityTag.of(current),
                { context in
                    try await provision(id, try ScimUserResource.state(from: patched, current: current), context: context)
                }
            )
        }
        return try userAnswer(user, request: request)
    }

    /// Applies a provisioned state; the owner's deactivation is a `mutability` error.
    private func provision(_ id: UserID, _ state: ProvisionedUser, context: OperationContext) async throws -> User {
        do {
            return try await services.users.applyProvisioning(id, state, context: context)
        } catch let error as DirectoryError where error.kind == .forbidden {
            throw ScimError.mutability(error.detail)
        }
    }

    /// A PATCH reads the resource, applies the operations, and writes the result on condition that
    /// nothing changed in between (its own `If-Match` when the client sent none), reading again
    /// when something did: no concurrent change is lost.
    static func readModifyWrite<Result>(
        _ context: OperationContext,
        _ step: (OperationContext) async throws -> (version: String, write: (OperationContext) async throws -> Result)
    ) async throws -> Result {
        var attempts = 0
        while true {
            attempts += 1
            let (version, write) = try await step(context)
            var writing = context
            if writing.ifMatch == nil { writing.ifMatch = version }
            do {
                return try await write(writing)
            } catch let error as DirectoryError where error.kind == .preconditionFailed && context.ifMatch == nil && attempts < 5 {
                continue
            }
        }
    }
}
