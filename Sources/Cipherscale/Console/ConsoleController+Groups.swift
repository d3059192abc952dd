import Foundation
import Hummingbird

/// The groups pages: the list, a new group, one group with its members.
extension ConsoleController {
    func registerGroups(on router: Router<DirectoryRequestContext>) {
        router.get("/console/groups") { request, _ in try await page(request) { try await groupsPage($0, request) } }
        router.get("/console/groups/new") { request, _ in try await page(request) { try await groupForm($0, request, group: nil) } }
        router.post("/console/groups/new") { request, _ in
            try await action(request) { session, form in
                do {
                    let group = try await services.groups.create(try await groupInput(form, session, request), context: context(session, request))
                    return ConsoleViews.redirect("/console/groups/\(group.id)?notice=saved")
                } catch let error as DirectoryError where error.kind == .invalidInput || error.kind == .conflict {
                    return try await groupForm(session, request, group: nil, form: form, error: error)
                }
            }
        }
        router.get("/console/groups/:id") { request, context in
            try await page(request) { session in
                let group = try await oneGroup(try pathId(context, "id"), self.context(session, request))
                return try await groupForm(session, request, group: group)
            }
        }
        router.post("/console/groups/:id") { request, context in
            try await action(request) { session, form in
                let id: GroupID = try pathId(context, "id")
                let operation = self.context(session, request)
                let group = try await oneGroup(id, operation)
                do {
                    var input = try await groupInput(form, session, request)
                    // The console does not edit SAML settings: they stay as they are.
                    input.isSamlDefaultGroup = group.isSamlDefaultGroup
                    input.idpMapping = group.idpMapping
                    _ = try await services.groups.replace(id, with: input, context: operation)
                    return ConsoleViews.redirect("/console/groups/\(id)?notice=saved")
                } catch let error as DirectoryError where error.kind == .invalidInput || error.kind == .conflict {
                    return try await groupForm(session, request, group: group, form: form, error: error)
                }
            }
        }
        router.post("/console/groups/:id/delete") { request, context in
            try await action(request) { session, _ in
                try await services.groups.delete(try pathId(context, "id"), context: self.context(session, request))
                return ConsoleViews.redirect("/console/groups?notice=deleted")
            }
        }
        router.post("/console/groups/:id/members") { request, context in
            try await action(request) { session, form in
                let id: GroupID = try pathId(context, "id")
                let operation = self.context(session, request)
                let email = form["memberEmail"] ?? ""
                let query = try ListQuery.parse(Self.queryString([("filter[email][eq]", email), ("limit", "1")]), schema: .users)
                guard let user = try await services.users.list(query, context: operation).items.first else {
                    let group = try await oneGroup(id, operation)
                    return try await groupForm(
                        session, request, group: group, memberError: email.isEmpty ? "Enter the member's email." : "No user has the email \(email).")
                }
                _ = try await services.users.addToGroup(user.id, groupId: id.rawValue, context: operation)
                return ConsoleViews.redirect("/console/groups/\(id)?notice=saved")
            }
        }
        router.post("/console/groups/:id/members/:userId/remove") { request, context in
            try await action(request) { session, _ in
                let id: GroupID = try pathId(context, "id")
                try await services.users.removeFromGroup(try pathId(context, "userId"), group: id, context: self.context(session, request))
                return ConsoleViews.redirect("/console/groups/\(id)?notice=saved")
            }
        }
    }

    /// One group without its members, or 404.
    private func oneGroup(_ id: GroupID, _ operation: OperationContext) async throws -> Group {
        guard let group = try await groups([id], operation).first else { throw DirectoryError.notFound("No group with this id exists.") }
        return group
    }

    private func groupsPage(_ session: ConsoleSession, _ request: Request) async throws -> Response {
        let params = ConsoleForm(query: request.uri.query)
        var api = [("sort", "name"), ("limit", String(Self.pageSize))]
        if let after = params["after"] { api.append(("after", after)) }
        let query = try ListQuery.parse(Self.queryString(api), schema: .groups)
        let found = try await services.groups.list(query, context: context(session, request))
        var data = layout(session, title: "Groups", nav: "groups", notice: Self.notice(params))
        data["total"] = found.total
        data["groups"] = found.items.map { group -> [String: Any] in
            [
                "id": group.id.rawValue, "name": group.name, "description": group.description ?? "", "members": group.memberCount,
                "roles": group.roles.map(\.name).joined(separator: ", "), "isDefault": group.isDefault,
                "maxDevices": group.maxDevices.map(String.init) ?? "",
            ]
        }
        if let cursor = found.nextCursor, found.hasNext { data["nextHref"] = Self.url("/console/groups", [("after", cursor)]) }
        if params["after"] != nil { data["firstHref"] = Self.url("/console/groups", []) }
        return views.page("groups", data)
    }

    /// The group form (new when `group` is nil), with its members paged when it exists.
    private func groupForm(
        _ session: ConsoleSession, _ request: Request, group: Group?, form: ConsoleForm? = nil, error: DirectoryError? = nil,
        memberError: String? = nil
    ) async throws -> Response {
        let operation = context(session, request)
        let params = ConsoleForm(query: request.uri.query)
        var data = layout(session, title: group?.name ?? "New group", nav: "groups", notice: Self.notice(params))
        let held = Set(group?.roles.map(\.type.rawValue) ?? [])
        let chosen = form.map { Set($0.values("roles")) } ?? held
        data["roles"] = try await services.roles.list(context: operation).filter { $0.type != .owner }.map {
            ["type": $0.type.rawValue, "name": $0.name, "checked": chosen.contains($0.type.rawValue)]
        }
        data["name"] = form?.raw("name") ?? group?.name ?? ""
        data["description"] = form?.raw("description") ?? group?.description ?? ""
        data["maxDevices"] = form?.raw("maxDevices") ?? group?.maxDevices.map(String.init) ?? ""
        if let error {
            data["formError"] = error.detail
            for fieldError in error.errors {
                if case .body(_, let field, _) = fieldError.location { data["\(field)Error"] = fieldError.detail }
            }
        }
        if let memberError { data["memberError"] = memberError }
        guard let group else {
            data["isNew"] = true
            return views.page("group", data, status: error == nil ? .ok : ConsoleController.status(of: error!))
        }
        data["group"] = ["id": group.id.rawValue, "isDefault": group.isDefault, "deleteable": group.deleteable, "memberCount": group.memberCount]
        var api = [("filter[groups.id][eq]", group.id.rawValue), ("sort", "email"), ("limit", String(Self.pageSize))]
        if let after = params["after"] { api.append(("after", after)) }
        let members = try await services.users.list(try ListQuery.parse(Self.queryString(api), schema: .users), context: operation)
        data["members"] = members.items.map { ["id": $0.id.rawValue, "email": $0.email, "name": Self.name($0), "status": $0.status.rawValue] }
        data["memberTotal"] = members.total
        if let cursor = members.nextCursor, members.hasNext {
            data["nextHref"] = Self.url("/console/groups/\(group.id)", [("after", cursor)])
        }
        if params["after"] != nil { data["firstHref"] = Self.url("/console/groups/\(group.id)", []) }
        let status: HTTPResponse.Status = error.map(ConsoleController.status(of:)) ?? (memberError == nil ? .ok : .badRequest)
        return views.page("group", data, status: status)
    }

    /// The group body of a posted form; a device limit that is not a number is a field error.
    private func groupInput(_ form: ConsoleForm, _ session: ConsoleSession, _ request: Request) async throws -> GroupInput {
        let roles = try await services.roles.list(context: context(session, request))
        let wanted = Set(form.values("roles"))
        var maxDevices: Int?
        if let text = form["maxDevices"] {
            guard let number = Int(text) else {
                throw DirectoryError.invalid(
                    "The device limit must be a whole number.", [FieldError(.body(field: "maxDevices"), "must be a whole number")])
            }
            maxDevices = number
        }
        return GroupInput(
            name: form.raw("name").trimmingCharacters(in: .whitespaces), description: form["description"],
            roles: roles.filter { wanted.contains($0.type.rawValue) }.map(\.id.rawValue), maxDevices: maxDevices, isSamlDefaultGroup: nil,
            idpMapping: nil)
    }
}
