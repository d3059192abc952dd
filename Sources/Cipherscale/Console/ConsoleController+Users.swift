import Foundation
import Hummingbird

/// The users pages: the list, one user, and inviting.
extension ConsoleController {
    func registerUsers(on router: Router<DirectoryRequestContext>) {
        router.get("/console/users") { request, _ in try await page(request) { try await usersPage(request, $0) } }
        router.get("/console/users/new") { request, _ in try await page(request) { try await invitePage($0, request) } }
        router.post("/console/users/new") { request, _ in try await action(request) { try await invite($0, $1, request) } }
        router.get("/console/users/:id") { request, context in
            try await page(request) { try await userPage($0, request, id: try userId(context)) }
        }
        router.post("/console/users/:id/profile") { request, context in
            try await action(request) { session, form in
                let id = try userId(context)
                let change = UserProfileChange(firstName: form.raw("firstName"), lastName: form.raw("lastName"), image: nil, maxDevices: nil)
                do {
                    _ = try await services.users.update(id, change: change, context: self.context(session, request))
                } catch let error as DirectoryError where error.kind == .invalidInput {
                    return try await userPage(session, request, id: id, errors: error, status: .badRequest)
                }
                return ConsoleViews.redirect("/console/users/\(id)?notice=saved")
            }
        }
        router.post("/console/users/:id/roles") { request, context in
            try await action(request) { session, form in try await saveRoles(session, form, request, id: try userId(context)) }
        }
        router.post("/console/users/:id/groups") { request, context in
            try await action(request) { session, form in
                let id = try userId(context)
                _ = try await services.users.addToGroup(id, groupId: form["groupId"] ?? "", context: self.context(session, request))
                return ConsoleViews.redirect("/console/users/\(id)?notice=saved")
            }
        }
        router.post("/console/users/:id/groups/:groupId/remove") { request, context in
            try await action(request) { session, _ in
                let id = try userId(context)
                try await services.users.removeFromGroup(id, group: try pathId(context, "groupId"), context: self.context(session, request))
                return ConsoleViews.redirect("/console/users/\(id)?notice=saved")
            }
        }
        for verb in ["deactivate", "reactivate", "delete", "invite"] {
            router.post("/console/users/:id/\(verb)") { request, context in
                try await action(request) { session, _ in
                    let id = try userId(context)
                    let operation = self.context(session, request)
                    switch verb {
                    case "deactivate": _ = try await services.users.deactivate(id, context: operation)
                    case "reactivate": _ = try await services.users.reactivate(id, context: operation)
                    case "invite": try await services.users.reinvite(id, context: operation)
                    default:
                        try await services.users.delete(id, context: operation)
                        return ConsoleViews.redirect("/console/users?notice=deleted")
                    }
                    return ConsoleViews.redirect("/console/users/\(id)?notice=\(verb == "invite" ? "invited-again" : "saved")")
                }
            }
        }
    }

    func userId(_ context: DirectoryRequestContext) throws -> UserID { try pathId(context, "id") }

    /// A path id, or 404 (an id that is not a UUID names nothing).
    func pathId<Kind>(_ context: DirectoryRequestContext, _ name: String) throws -> Identifier<Kind> {
        guard let text = context.parameters.get(name), let id = Identifier<Kind>(text) else {
            throw DirectoryError.notFound("Nothing has this id.")
        }
        return id
    }

    // MARK: The list

    /// The list fields the users table sorts by (its column headers).
    static let sortableUserFields = ["email", "firstName", "status", "lastConnection"]

    private func usersPage(_ request: Request, _ session: ConsoleSession) async throws -> Response {
        let params = ConsoleForm(query: request.uri.query)
        let operation = context(session, request)
        let sort = params["sort"] ?? "email"
        var filters: [(String, String)] = []
        if let search = params["search"] { filters.append(("search", search)) }
        if let status = params["status"] { filters.append(("filter[status][eq]", status)) }
        if let group = params["group"] { filters.append(("filter[groups.id][eq]", group)) }
        if let role = params["role"] { filters.append(("filter[roles.id][eq]", role)) }
        var api = filters + [("sort", sort), ("limit", String(Self.pageSize))]
        let position = max(0, Int(params["pos"] ?? "") ?? 0)
        if let after = params["after"] { api.append(("after", after)) } else if position > 0 { api.append(("offset", String(position))) }
        var data = layout(session, title: "Users", nav: "users", notice: Self.notice(params))
        data["search"] = params.raw("search")
        let groups = try await services.groups.list(Self.firstHundredGroups, context: operation).items
        let roles = try await services.roles.list(context: operation)
        data["statuses"] = UserStatus.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == params["status"]] }
        data["groups"] = groups.map { ["id": $0.id.rawValue, "name": $0.name, "selected": $0.id.rawValue == params["group"]] }
        data["roles"] = roles.map { ["id": $0.id.rawValue, "name": $0.name, "selected": $0.id.rawValue == params["role"]] }
        let base = filters.map { ($0.0 == "search" ? "search" : Self.consoleName(of: $0.0), $0.1) }
        var columns: [String: Any] = [:]
        for field in Self.sortableUserFields {
            let current = sort == field ? "ascending" : sort == "-" + field ? "descending" : "none"
            let next = current == "ascending" ? "-" + field : field
            columns[field] = ["href": Self.url("/console/users", base + [("sort", next)]), "sorted": current]
        }
        data["sortBy"] = columns
        let query: ListQuery
        do {
            query = try ListQuery.parse(Self.queryString(api), schema: .users)
        } catch {
            data["listError"] = ([error.detail] + error.errors.map(\.detail)).joined(separator: " ")
            data["users"] = [[String: Any]]()
            data["total"] = 0
            return views.page("users", data, status: .badRequest)
        }
        let found = try await services.users.list(query, context: operation)
        data["total"] = found.total
        data["totalLabel"] = found.total == 1 ? "user" : "users"
        data["users"] = found.items.map { user -> [String: Any] in
            [
                "id": user.id.rawValue, "email": user.email, "name": Self.name(user), "status": user.status.rawValue,
                "roles": user.roles.map(\.name).joined(separator: ", "), "groups": user.groups.map(\.name).joined(separator: ", "),
                "lastConnection": user.lastConnection.map(Timestamps.format) ?? "never",
            ]
        }
        if !found.items.isEmpty {
            data["range"] = "\(position + 1)–\(position + found.items.count) of \(found.total)"
        }
        let keep = base + [("sort", sort)]
        if let cursor = found.nextCursor, found.hasNext {
            data["nextHref"] = Self.url("/console/users", keep + [("after", cursor), ("pos", String(position + found.items.count))])
        }
        if position > 0 {
            // Back by offset near the start; far in, back to the first page (offsets that deep are slow).
            let previous = position - Self.pageSize
            data["previousHref"] =
                previous > 0 && previous <= 10_000
                ? Self.url("/console/users", keep + [("pos", String(previous))]) : Self.url("/console/users", keep)
        }
        return views.page("users", data)
    }

    /// Groups by id with their roles, without loading members (the Default group may have millions).
    func groups(_ ids: [GroupID], _ operation: OperationContext) async throws -> [Group] {
        guard !ids.isEmpty else { return [] }
        let query = ListQuery(
            limit: ListQuery.maxLimit, offset: 0, sort: [SortKey(field: "name", descending: false)],
            filters: [ListFilter(field: "id", op: .in, values: ids.map { .text($0.rawValue) })], search: nil, after: nil)
        return try await services.groups.list(query, context: operation).items
    }

    static let firstHundredGroups = ListQuery(
        limit: 100, offset: 0, sort: [SortKey(field: "name", descending: false)], filters: [], search: nil, after: nil)

    /// The console's own parameter for an API filter.
    private static func consoleName(of apiName: String) -> String {
        switch apiName {
        case "filter[status][eq]": "status"
        case "filter[groups.id][eq]": "group"
        case "filter[roles.id][eq]": "role"
        default: apiName
        }
    }

    static func name(_ user: User) -> String {
        [user.firstName, user.lastName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// `path?key=value&...`, each part percent-encoded.
    static func url(_ path: String, _ parameters: [(String, String)]) -> String {
        let path = RequestScope.current.basePath + path
        return parameters.isEmpty ? path : path + "?" + queryString(parameters)
    }

    static func queryString(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    /// The confirmation a redirect asked for (only these fixed texts, never text from the URL).
    static func notice(_ params: ConsoleForm) -> String? {
        let count = Int(params["count"] ?? "") ?? 0
        switch params["notice"] {
        case "saved": return "Saved."
        case "deleted": return "Deleted."
        case "invited-again": return "A new invitation is on its way."
        case "invited": return "Invited \(count) \(count == 1 ? "user" : "users")."
        case "revoked": return "The key was revoked."
        default: return nil
        }
    }

    // MARK: One user

    func userPage(
        _ session: ConsoleSession, _ request: Request, id: UserID, errors: DirectoryError? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let operation = context(session, request)
        let user = try await services.users.user(id, context: operation)
        let params = ConsoleForm(query: request.uri.query)
        var data = layout(session, title: user.email, nav: "users", notice: Self.notice(params))
        data["user"] = [
            "id": user.id.rawValue, "email": user.email, "firstName": user.firstName ?? "", "lastName": user.lastName ?? "",
            "status": user.status.rawValue, "isOwner": user.isOwner, "createdAt": Timestamps.format(user.createdAt),
            "lastConnection": user.lastConnection.map(Timestamps.format) ?? "never",
        ]
        if let errors {
            data["formError"] = errors.detail
            for error in errors.errors {
                if case .body(_, let field, _) = error.location { data["\(field)Error"] = error.detail }
            }
        }
        // Roles: direct ones are editable; those only granted by a group show which group.
        let direct = Set(try await services.users.roles(of: id, rolesOnly: true, groupsOnly: false, context: operation).map(\.id))
        var grantedBy: [RoleID: [String]] = [:]
        for group in try await groups(user.groups.map(\.id), operation) {
            for role in group.roles { grantedBy[role.id, default: []].append(group.name) }
        }
        let roles = try await services.roles.list(context: operation)
        data["roles"] = roles.filter { $0.type != .owner }.map { role -> [String: Any] in
            let groups = grantedBy[role.id] ?? []
            var row: [String: Any] = [
                "type": role.type.rawValue, "name": role.name, "checked": direct.contains(role.id) || !groups.isEmpty,
                "disabled": !direct.contains(role.id) && !groups.isEmpty,
            ]
            // Mustache renders any present value as true: absent keys only.
            if !groups.isEmpty { row["fromGroup"] = groups.joined(separator: ", ") }
            return row
        }
        data["ownerRole"] = user.roles.contains { $0.type == .owner }
        data["groups"] = user.groups.map { ["id": $0.id.rawValue, "name": $0.name] }
        let joined = Set(user.groups.map(\.id))
        let joinable = try await services.groups.list(Self.firstHundredGroups, context: operation).items.filter { !joined.contains($0.id) }
        data["joinableGroups"] = joinable.map { ["id": $0.id.rawValue, "name": $0.name] }
        data["canJoin"] = session.canWrite && !joinable.isEmpty
        data["devices"] = user.devices.map(Self.deviceRow)
        data["canDeactivate"] = user.status == .active && !user.isOwner
        data["canReactivate"] = user.status == .inactive
        data["canResend"] = user.status == .pending
        data["canDelete"] = !user.isOwner
        if let (invitation, delivery) = try? await services.invitations.latest(for: id, context: operation) {
            var row: [String: Any] = [
                "state": invitation.status.rawValue, "delivery": delivery?.status.rawValue ?? "not queued",
                "expiresAt": Timestamps.format(invitation.expiresAt),
            ]
            if let lastError = delivery?.lastError { row["lastError"] = lastError }
            data["invitation"] = row
        }
        let events = try await services.audit.events(
            AuditFilter(targetId: id.rawValue, limit: 20), readOnly: false, exactTotal: false, context: operation)
        data["events"] = events.items.map(Self.auditRow)
        return views.page("user", data, status: status)
    }

    private func saveRoles(_ session: ConsoleSession, _ form: ConsoleForm, _ request: Request, id: UserID) async throws -> Response {
        let operation = context(session, request)
        let roles = try await services.roles.list(context: operation).filter { $0.type != .owner }
        let wanted = Set(form.values("roles"))
        let direct = Set(try await services.users.roles(of: id, rolesOnly: true, groupsOnly: false, context: operation).map(\.id))
        let added = roles.filter { wanted.contains($0.type.rawValue) && !direct.contains($0.id) }.map(\.id.rawValue)
        let removed = roles.filter { !wanted.contains($0.type.rawValue) && direct.contains($0.id) }.map(\.id.rawValue)
        if !added.isEmpty || !removed.isEmpty {
            _ = try await services.users.updateRoles(id, added: added, removed: removed, context: operation)
        }
        return ConsoleViews.redirect("/console/users/\(id)?notice=saved")
    }

    static func deviceRow(_ device: Device) -> [String: Any] {
        [
            "id": device.id.rawValue, "name": device.name ?? device.hardwareId, "hardwareId": device.hardwareId, "status": device.status.rawValue,
            "active": device.active, "appVersion": device.appVersion ?? "", "owner": device.owner?.email ?? "",
            "ownerId": device.userId?.rawValue ?? "", "lastConnection": device.lastConnection.map(Timestamps.format) ?? "never",
        ]
    }

    static func auditRow(_ event: AuditEvent) -> [String: Any] {
        [
            "occurredAt": Timestamps.format(event.occurredAt), "action": event.action, "actor": "\(event.actorType) \(event.actorId ?? "")",
            "target": "\(event.targetType) \(event.targetId)", "related": event.relatedId.map { "\(event.relatedType ?? "") \($0)" } ?? "",
            "changes": event.changes,
        ]
    }

    // MARK: Inviting

    private func invitePage(
        _ session: ConsoleSession, _ request: Request, form: ConsoleForm? = nil, lineErrors: [String] = [], error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let chosen = Set(form?.values("groups") ?? [])
        var data = layout(session, title: "Invite users", nav: "users")
        data["emails"] = form?.raw("emails") ?? ""
        data["groups"] = try await services.groups.list(Self.firstHundredGroups, context: context(session, request)).items.map {
            ["id": $0.id.rawValue, "name": $0.name, "checked": chosen.contains($0.id.rawValue)]
        }
        data["lineErrors"] = lineErrors.map { ["text": $0] }
        if let error { data["emailsError"] = error }
        return views.page("invite", data, status: status)
    }

    /// One batch create: every line becomes a user, or none does and each bad line shows its error.
    private func invite(_ session: ConsoleSession, _ form: ConsoleForm, _ request: Request) async throws -> Response {
        let lines = form.raw("emails").split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            .map { (number: $0.offset + 1, email: $0.element.trimmingCharacters(in: .whitespacesAndNewlines)) }.filter { !$0.email.isEmpty }
        guard !lines.isEmpty else {
            return try await invitePage(session, request, form: form, error: "Enter at least one email address.", status: .badRequest)
        }
        guard lines.count <= UserService.maxBatch else {
            return try await invitePage(
                session, request, form: form, error: "At most \(UserService.maxBatch) emails at once; this has \(lines.count).",
                status: .badRequest)
        }
        let groups = form.values("groups")
        do {
            let created = try await services.users.create(
                lines.map { CreateUserInput(email: $0.email, groups: groups) }, context: context(session, request))
            return ConsoleViews.redirect("/console/users?notice=invited&count=\(created.count)")
        } catch let error as DirectoryError where !error.errors.isEmpty {
            let messages = error.errors.map { fieldError -> String in
                if case .body(let item?, let field, _) = fieldError.location, item < lines.count {
                    let line = lines[item]
                    return field == "email"
                        ? "Line \(line.number): \(line.email): \(fieldError.detail)"
                        : "Line \(line.number): \(line.email): \(field) \(fieldError.detail)"
                }
                return "\(fieldError.location): \(fieldError.detail)"
            }
            return try await invitePage(
                session, request, form: form, lineErrors: messages, error: "Nothing was created. Correct these lines and invite again.",
                status: ConsoleController.status(of: error))
        }
    }
}
