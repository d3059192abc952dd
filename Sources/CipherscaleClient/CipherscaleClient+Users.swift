import CipherscaleAPI
import Foundation

extension CipherscaleClient {
    /// The most users one request creates.
    public static let batchSize = 100

    /// Creates a user for each email, in `groups`, in batches of ``batchSize`` (each batch all or
    /// nothing), and calls `progress` with the users created so far after each batch. Returns the
    /// users in the order of `emails`. A refused batch throws its problem; earlier batches stay created.
    public func createUsers(
        emails: [String], groups: [String], progress: (_ created: Int, _ total: Int) -> Void = { _, _ in }
    ) async throws -> [UserResource] {
        var created: [UserResource] = []
        for start in stride(from: 0, to: emails.count, by: Self.batchSize) {
            let batch = emails[start..<min(start + Self.batchSize, emails.count)].map { CreateUserBody(email: $0, groups: groups) }
            let answer = try await send { api in
                try await api.createUsers(body: .json(.case2(batch))).created.body.json
            }
            switch answer {
            case .User(let user): created.append(user)
            case .case2(let users): created += users
            }
            progress(created.count, emails.count)
        }
        return created
    }

    /// The id of the tenant's Default group, the one every new user joins unless told otherwise.
    public func defaultGroupID() async throws -> String {
        let page = try await groups(ListOptions(filters: [ListFilter(field: "name", op: "eq", value: "Default")], limit: 1))
        guard let group = page.data.first else {
            throw CipherscaleClientError.unexpectedAnswer(operation: "listGroups", reason: "the tenant has no Default group")
        }
        return group.id
    }

    /// The tenant's roles.
    public func roles() async throws -> [Components.Schemas.Role] {
        try await send { api in try await api.listRoles().ok.body.json }
    }

    /// The role ids that `names` stand for: each a role id, or a role type (`ADMIN`) or name,
    /// compared case-insensitively. Throws ``UnknownRole`` for a name no role has.
    public func roleIDs(_ names: [String]) async throws -> [String] {
        guard !names.isEmpty else { return [] }
        let roles = try await roles()
        return try names.map { name in
            let wanted = name.lowercased()
            let match = roles.first { (role: Components.Schemas.Role) -> Bool in
                [role.id, role._type.rawValue, role.name].contains { $0.lowercased() == wanted }
            }
            guard let match else { throw UnknownRole(name: name, known: roles.map(\._type.rawValue)) }
            return match.id
        }
    }
}
