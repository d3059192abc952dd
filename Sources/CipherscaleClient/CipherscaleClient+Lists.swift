import CipherscaleAPI
import Foundation

extension CipherscaleClient {
    /// The page size of a walk through a whole list: the largest the server gives.
    public static let walkPageSize = 100

    /// Reads every page of a list, following `nextCursor` from the first page on, and calls
    /// `progress` with the items read so far and the list's total after each page.
    public func all<Page: ListPage>(
        progress: (_ fetched: Int, _ total: Int) -> Void = { _, _ in }, page: (_ after: String?) async throws -> Page
    ) async throws -> [Page.Item] {
        var items: [Page.Item] = []
        var cursor: String?
        repeat {
            let next = try await page(cursor)
            items += next.items
            progress(items.count, max(next.totalCount, items.count))
            cursor = next.items.isEmpty ? nil : next.nextCursor
        } while cursor != nil
        return items
    }

    /// One page of users: the first, or the one after `after`.
    public func users(_ options: ListOptions, after: String? = nil) async throws -> Components.Schemas.UserPage {
        try await adding(query: options.filters.map(\.queryItem)).send { api in
            try await api.listUsers(
                query: .init(
                    limit: options.limit.map(Int64.init), after: after, sort: options.sort.isEmpty ? nil : options.sort, search: options.search)
            ).ok.body.json
        }
    }

    /// One page of groups.
    public func groups(_ options: ListOptions, after: String? = nil) async throws -> Components.Schemas.GroupPage {
        try await adding(query: options.filters.map(\.queryItem)).send { api in
            try await api.listGroups(
                query: .init(
                    limit: options.limit.map(Int64.init), after: after, sort: options.sort.isEmpty ? nil : options.sort, search: options.search)
            ).ok.body.json
        }
    }

    /// One page of devices.
    public func devices(_ options: ListOptions, after: String? = nil) async throws -> Components.Schemas.DevicePage {
        try await adding(query: options.filters.map(\.queryItem)).send { api in
            try await api.listDevices(
                query: .init(
                    limit: options.limit.map(Int64.init), after: after, sort: options.sort.isEmpty ? nil : options.sort, search: options.search)
            ).ok.body.json
        }
    }

    /// One page of the audit log, newest first, from `since` on when given.
    public func auditEvents(since: Date? = nil, limit: Int? = nil, after: String? = nil) async throws -> Components.Schemas.AuditEventPage {
        try await send { api in
            try await api.listAuditEvents(query: .init(since: since, limit: limit.map(Int64.init), after: after)).ok.body.json
        }
    }
}
