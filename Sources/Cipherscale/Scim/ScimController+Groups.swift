import Hummingbird

extension ScimController {
    func registerGroups(on router: Router<DirectoryRequestContext>) {
        let path = "\(Self.root)/Groups"
        router.get(RouterPath(path)) { request, _ in
            try await listGroups(request, search: try ScimListRequest(parameters: Self.parameters(request)))
        }
        router.post("\(path)/.search") { request, _ in
            try await listGroups(request, search: try ScimListRequest(body: try await Self.body(request)))
        }
        router.post(RouterPath(path)) { request, _ in
            let context = try await operation(request, writes: true)
            let state = try ScimGroupResource.state(from: try await Self.body(request))
            let group = try await services.groups.provision(state.group, members: state.members ?? [], context: context)
            return try await groupAnswer(group.id, request: request, context: context, status: .created)
        }
        router.get("\(path)/:id") { request, context in
            let operation = try await operation(request, writes: false)
            return try await groupAnswer(try Self.groupId(context), request: request, context: operation)
        }
        router.put("\(path)/:id") { request, context in
            let operation = try await operation(request, writes: true)
            let id = try Self.groupId(context)
            let body = try await Self.body(request)
            _ = try await services.groups.group(id, context: operation)
            let state = try ScimGroupResource.state(from: body)
            // A PUT without members leaves them as they are: a rename never empties a group by accident.
            _ = try await services.groups.applyProvisioning(
                id, group: state.group, members: state.members.map { [.replace($0)] } ?? [], context: operation)
            return try await groupAnswer(id, request: request, context: operation)
        }
        router.patch("\(path)/:id") { request, context in try await patchGroup(request, id: try Self.groupId(context)) }
        router.delete("\(path)/:id") { request, context in
            let operation = try await operation(request, writes: true)
            do {
                try await services.groups.delete(try Self.groupId(context), context: operation)
            } catch let error as DirectoryError where error.kind == .conflict {
                throw ScimError.mutability(error.detail)
            }
            return Response(status: .noContent)
        }
    }

    /// The path's group id; anything that is not one is 404.
    static func groupId(_ context: DirectoryRequestContext) throws -> GroupID {
        guard let id = context.parameters.get("id").flatMap(GroupID.init) else { throw ScimError.notFound("No group with this id exists.") }
        return id
    }

    private func listGroups(_ request: Request, search: ScimListRequest) async throws -> Response {
        let context = try await operation(request, writes: false)
        let page = try await services.groups.search(search.query, allMembers: search.projection.includes("members"), context: context)
        let base = base(request)
        let display = search.projection.requests("members", "display")
        let resources = page.items.map { search.projection.apply(ScimGroupResource.json($0, base: base, display: display)) }
        return Self.json(Self.list(resources, total: page.total, startIndex: search.query.startIndex))
    }

    /// A group answer with its `ETag`, projected by the request's `attributes`/`excludedAttributes`;
    /// every member is loaded only when the answer shows members.
    private func groupAnswer(_ id: GroupID, request: Request, context: OperationContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let parameters = Self.parameters(request)
        let projection = try ScimProjection(
            attributes: parameters["attributes"].map { [$0] }, excluded: parameters["excludedAttributes"].map { [$0] })
        let group =
            projection.includes("members")
            ? try await services.groups.groupWithAllMembers(id, context: context) : try await services.groups.group(id, context: context)
        let base = base(request)
        return Self.json(
            projection.apply(ScimGroupResource.json(group, base: base, display: projection.requests("members", "display"))), status: status,
            version: ScimGroupResource.version(group), location: status == .created ? ScimGroupResource.location(id, base: base) : nil)
    }

    /// PATCH: member operations become member changes applied in one statement each (however many
    /// members), other operations apply to the group's name and external id. The answer is 204
    /// (RFC 7644 3.5.2 allows it), so a change to a large group never sends back all its members,
    /// unless the request asks for attributes.
    private func patchGroup(_ request: Request, id: GroupID) async throws -> Response {
        let context = try await operation(request, writes: true)
        let operations = try ScimPatchOperation.parse(try await Self.body(request))
        var changes: [MemberChange] = []
        var others: [ScimPatchOperation] = []
        for operation in operations {
            let (change, rest) = try Self.memberChange(operation)
            if let change { changes.append(change) }
            if let rest { others.append(rest) }
        }
        let patch = ScimPatch(schema: ScimURN.group, readOnly: ["id", "meta"])
        let group = try await Self.readModifyWrite(context) { context in
            let current = try await services.groups.group(id, context: context)
            var fields: ProvisionedGroup?
            if !others.isEmpty {
                var document = ScimGroupResource.json(current, base: "")
                document.set("members", nil)
                let state = try ScimGroupResource.state(from: try patch.apply(others, to: document))
                if state.group != ProvisionedGroup(name: current.name, externalId: current.externalId) { fields = state.group }
            }
            return (
                ScimGroupResource.version(current),
                { context in
                    try await services.groups.applyProvisioning(id, group: fields, members: changes, context: context)
                }
            )
        }
        let parameters = Self.parameters(request)
        guard parameters["attributes"] != nil || parameters["excludedAttributes"] != nil else {
            var response = Response(status: .noContent)
            response.headers[.eTag] = ScimGroupResource.version(group)
            return response
        }
        return try await groupAnswer(id, request: request, context: context)
    }

    /// The member change an operation makes, and what is left of it for the other attributes.
    static func memberChange(_ operation: ScimPatchOperation) throws(ScimError) -> (MemberChange?, ScimPatchOperation?) {
        guard let path = operation.path else {
            // No path: `{"members": [...]}` in the value, next to other attributes.
            guard let members = operation.value?["members"] else { return (nil, operation) }
            let ids = try ScimGroupResource.memberIds(members)
            var rest = operation
            rest.value?.set("members", nil)
            let change: MemberChange = operation.kind == .add ? .add(ids) : .replace(ids)
            return (change, rest.value?.members?.isEmpty == false ? rest : nil)
        }
        guard path.attribute.attribute == "members" else { return (nil, operation) }
        if let schema = path.attribute.schema, schema != ScimURN.group.lowercased() { return (nil, nil) }
        switch operation.kind {
        case .add:
            return (.add(try ScimGroupResource.memberIds(operation.value ?? .null)), nil)
        case .replace:
            guard path.valueFilter == nil, path.attribute.subAttribute == nil else {
                throw .mutability("A member's value cannot be replaced; remove the member and add another.")
            }
            return (.replace(try ScimGroupResource.memberIds(operation.value ?? .null)), nil)
        case .remove:
            if let filter = path.valueFilter {
                guard let ids = memberIds(in: filter) else {
                    throw .invalidFilter("Members are removed by id: members[value eq \"<user id>\"] (several joined with or).")
                }
                return (.remove(ids), nil)
            }
            if let value = operation.value, !value.isNull { return (.remove(try ScimGroupResource.memberIds(value)), nil) }
            return (.replace([]), nil)
        }
    }

    /// The ids of `value eq "…"` (or several of them joined with `or`).
    private static func memberIds(in filter: ScimFilter) -> [UserID]? {
        switch filter {
        case .compare(let path, .eq, .string(let text)) where path.key == "value":
            // An id of no user matches no member: nothing to remove.
            return UserID(text).map { [$0] } ?? []
        case .or(let left, let right):
            guard let left = memberIds(in: left), let right = memberIds(in: right) else { return nil }
            return left + right
        default: return nil
        }
    }
}
