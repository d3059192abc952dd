import Foundation
import Hummingbird

/// Roles, devices, the audit log and API keys.
extension ConsoleController {
    func registerAdministration(on router: Router<DirectoryRequestContext>) {
        router.get("/console/roles") { request, _ in
            try await page(request) { session in
                var data = layout(session, title: "Roles", nav: "roles")
                data["roles"] = try await services.roles.list(context: context(session, request)).map {
                    [
                        "id": $0.id.rawValue, "name": $0.name, "type": $0.type.rawValue, "description": $0.description ?? "",
                        "holdersHref": Self.url("/console/users", [("role", $0.id.rawValue)]),
                    ]
                }
                return views.page("roles", data)
            }
        }
        router.get("/console/devices") { request, _ in try await page(request) { try await devicesPage($0, request) } }
        for verb in ["deactivate", "reactivate", "delete"] {
            router.post("/console/devices/:id/\(verb)") { request, context in
                try await action(request) { session, _ in
                    let id: DeviceID = try pathId(context, "id")
                    let operation = self.context(session, request)
                    switch verb {
                    case "deactivate": _ = try await services.devices.deactivate(id, context: operation)
                    case "reactivate": _ = try await services.devices.reactivate(id, context: operation)
                    default: try await services.devices.delete(id, context: operation)
                    }
                    return ConsoleViews.redirect("/console/devices?notice=\(verb == "delete" ? "deleted" : "saved")")
                }
            }
        }
        router.get("/console/audit") { request, _ in try await page(request) { try await auditPage($0, request) } }
        router.get("/console/keys") { request, _ in try await page(request) { try await keysPage($0, request) } }
        router.post("/console/keys") { request, _ in
            try await action(request) { session, form in
                let created = try await services.keys.create(
                    tenant: session.tenantId, readOnly: form["readOnly"] != nil, actor: .user(session.user.id.rawValue))
                return try await keysPage(session, request, created: created.apiKey, status: .created)
            }
        }
        router.post("/console/keys/:id/revoke") { request, context in
            try await action(request) { session, _ in
                guard
                    try await services.keys.revoke(
                        try pathId(context, "id"), tenant: session.tenantId, actor: .user(session.user.id.rawValue))
                else { throw DirectoryError.notFound("No API key with this id exists.") }
                return ConsoleViews.redirect("/console/keys?notice=revoked")
            }
        }
    }

    private func devicesPage(_ session: ConsoleSession, _ request: Request) async throws -> Response {
        let params = ConsoleForm(query: request.uri.query)
        var data = layout(session, title: "Devices", nav: "devices", notice: Self.notice(params))
        var api = [("sort", "-createdAt"), ("limit", String(Self.pageSize))]
        if let status = params["status"] { api.append(("filter[status][eq]", status)) }
        let base = api
        if let after = params["after"] { api.append(("after", after)) }
        data["statuses"] = DeviceStatus.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == params["status"]] }
        let query: ListQuery
        do {
            query = try ListQuery.parse(Self.queryString(api), schema: .devices)
        } catch {
            data["listError"] = ([error.detail] + error.errors.map(\.detail)).joined(separator: " ")
            return views.page("devices", data, status: .badRequest)
        }
        let found = try await services.devices.list(query, context: context(session, request))
        data["total"] = found.total
        data["devices"] = found.items.map(Self.deviceRow)
        if let cursor = found.nextCursor, found.hasNext {
            let keep = base.filter { $0.0 == "filter[status][eq]" }.map { ("status", $0.1) }
            data["nextHref"] = Self.url("/console/devices", keep + [("after", cursor)])
        }
        return views.page("devices", data)
    }

    private func auditPage(_ session: ConsoleSession, _ request: Request) async throws -> Response {
        let params = ConsoleForm(query: request.uri.query)
        var data = layout(session, title: "Audit log", nav: "audit")
        let filter = AuditFilter(
            targetId: params["target"], actorId: params["actor"], action: params["action"], limit: 50, after: params["after"])
        data["actions"] = AuditAction.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == params["action"]] }
        data["target"] = params.raw("target")
        data["actor"] = params.raw("actor")
        do {
            // Auditors read the log too: reading logs is what the role is for.
            // No total: counting a log of millions of events would cost more than the page.
            let events = try await services.audit.events(filter, readOnly: false, exactTotal: false, context: context(session, request))
            data["events"] = events.items.map(Self.auditRow)
            if let cursor = events.nextCursor {
                let keep = [("target", params["target"]), ("actor", params["actor"]), ("action", params["action"])]
                    .compactMap { pair in pair.1.map { (pair.0, $0) } }
                data["nextHref"] = Self.url("/console/audit", keep + [("after", cursor)])
            }
            return views.page("audit", data)
        } catch let error as DirectoryError where error.kind == .invalidInput {
            data["listError"] = ([error.detail] + error.errors.map { "\($0.location): \($0.detail)" }).joined(separator: " ")
            return views.page("audit", data, status: .badRequest)
        }
    }

    private func keysPage(_ session: ConsoleSession, _ request: Request, created: String? = nil, status: HTTPResponse.Status = .ok)
        async throws -> Response
    {
        var data = layout(session, title: "API keys", nav: "keys", notice: Self.notice(ConsoleForm(query: request.uri.query)))
        data["keys"] = try await services.keys.list(tenant: session.tenantId).reversed().map { key -> [String: Any] in
            [
                "id": key.id.rawValue, "prefix": "csk_\(key.prefix)_…", "access": key.readOnly ? "read-only" : "admin",
                "createdAt": Timestamps.format(key.createdAt), "revokedAt": key.revokedAt.map(Timestamps.format) ?? "",
                "active": key.revokedAt == nil,
            ]
        }
        if let created { data["newKey"] = created }
        return views.page("keys", data, status: status)
    }
}
