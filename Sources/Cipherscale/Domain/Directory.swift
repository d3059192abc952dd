import Foundation
import Logging

/// A user to create, as the client sent it (fields may be missing or mistyped; all are checked).
public struct CreateUserInput: Sendable {
    public var email: String?
    public var groups: [String]?
    /// Fields that were present with the wrong JSON type.
    public var mistypedFields: [String]

    public init(email: String?, groups: [String]?, mistypedFields: [String] = []) {
        self.email = email
        self.groups = groups
        self.mistypedFields = mistypedFields
    }
}

/// A group body as the client sent it.
public struct GroupInput: Sendable {
    public var name: String
    public var description: String?
    public var roles: [String]
    public var maxDevices: Int?
    public var isSamlDefaultGroup: Bool?
    public var idpMapping: [String]?

    public init(name: String, description: String?, roles: [String], maxDevices: Int?, isSamlDefaultGroup: Bool?, idpMapping: [String]?) {
        self.name = name
        self.description = description
        self.roles = roles
        self.maxDevices = maxDevices
        self.isSamlDefaultGroup = isSamlDefaultGroup
        self.idpMapping = idpMapping
    }
}

/// The directory's operations: input rules are checked here, rules on stored state in the store's
/// transactions. Handlers call exactly one of these per request.
public struct Directory: Sendable {
    /// Where the data lives.
    public let store: DirectoryStore
    /// How long an invitation stays valid.
    public let invitationTTL: Millis
    /// Derives invitation tokens from invitation ids.
    public let tokens: InvitationTokens
    /// The largest batch `createUsers` accepts.
    public static let maxBatch = 100

    public init(store: DirectoryStore, tokens: InvitationTokens, invitationTTL: Millis = 7 * 24 * 3600 * 1000) {
        self.store = store
        self.tokens = tokens
        self.invitationTTL = invitationTTL
    }

    // MARK: Authentication

    /// Compared with when no key has the presented prefix; no secret hashes to it.
    private static let decoyHash = Secrets.hash(Secrets.randomToken())

    /// The principal for a presented `apikey` header value: 401 when missing, unknown or revoked.
    public func authenticate(apiKey: String?) async throws -> Principal {
        guard let apiKey, !apiKey.isEmpty else {
            throw DirectoryError(.unauthorized, "The apikey header is required.")
        }
        let presented = APIKeySecret.parse(apiKey)
        // Every failure does the same work: one hash, one lookup by prefix that returns one row (a
        // decoy when the prefix is unknown; a malformed key looks up a prefix that cannot exist), one
        // decode and one constant-time comparison. An unknown prefix and a wrong secret cost the same.
        let presentedHash = Secrets.hash(presented?.secret ?? apiKey)
        let stored = try await store.apiKey(prefix: presented?.prefix ?? "-", decoyHash: Self.decoyHash)
        let matches = Secrets.constantTimeEquals(stored.secretHash, presentedHash)
        guard presented != nil, stored.found, matches, stored.record.revokedAt == nil else {
            throw DirectoryError(.unauthorized, "The API key is not valid.")
        }
        return Principal(tenantId: stored.record.tenantId, keyId: stored.record.id, readOnly: stored.record.readOnly)
    }

    // MARK: Tenants and keys (command line)

    /// Creates a tenant with its owner and a first admin key; the key's text is returned once.
    public func createTenant(name: String, ownerEmail: String) async throws -> (tenantId: String, ownerUserId: String, apiKey: String) {
        var errors: [FieldError] = []
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.count > Validation.maxNameLength { errors.append(FieldError("name", "must be 1 to 100 characters")) }
        if !Validation.isValidEmail(ownerEmail) { errors.append(FieldError("owner-email", "is not a valid email address")) }
        if !errors.isEmpty { throw DirectoryError.invalid("The tenant is not valid.", errors) }
        let created = try await store.createTenant(name: trimmed, ownerEmail: ownerEmail)
        let key = try await createAPIKey(tenantId: created.tenantId, readOnly: false)
        return (created.tenantId, created.ownerUserId, key.apiKey)
    }

    /// Creates a key for a tenant; its text is returned once and only its hash is stored.
    public func createAPIKey(tenantId: String, readOnly: Bool) async throws -> (record: APIKeyRecord, apiKey: String) {
        let id = try Validation.pathId(tenantId, name: "tenant")
        let secret = APIKeySecret.generate()
        let record = try await store.insertAPIKey(tenantId: id, prefix: secret.prefix, secretHash: Secrets.hash(secret.secret), readOnly: readOnly)
        return (record, secret.text)
    }

    // MARK: Users

    /// Validates and creates a batch all-or-nothing. `batch` says whether the client sent an array
    /// (pointers are `/3/email`) or one object (`/email`).
    public func createUsers(_ principal: Principal, _ inputs: [CreateUserInput], batch: Bool) async throws -> [User] {
        guard !inputs.isEmpty else { throw DirectoryError.invalid("The array must hold at least one user.") }
        guard inputs.count <= Self.maxBatch else {
            throw DirectoryError.invalid("At most \(Self.maxBatch) users can be created in one call; got \(inputs.count).")
        }
        let prefix: (Int) -> String = { batch ? "/\($0)" : "" }
        var errors: [FieldError] = []
        var seen: [String: Int] = [:]
        var users: [NewUser] = []
        for (index, input) in inputs.enumerated() {
            let pointer = prefix(index)
            if input.mistypedFields.contains("email") {
                errors.append(FieldError("\(pointer)/email", "must be a string"))
            } else if let email = input.email {
                if !Validation.isValidEmail(email) {
                    errors.append(FieldError("\(pointer)/email", "is not a valid email address"))
                } else if let first = seen[email.lowercased()] {
                    errors.append(FieldError("\(pointer)/email", "duplicates the email of item \(first) in this batch"))
                } else {
                    seen[email.lowercased()] = index
                }
            } else {
                errors.append(FieldError("\(pointer)/email", "is required"))
            }
            var groups: [String] = []
            if input.mistypedFields.contains("groups") {
                errors.append(FieldError("\(pointer)/groups", "must be an array of group ids"))
            } else if let given = input.groups {
                groups = Validation.bodyIds(given, pointer: "\(pointer)/groups", errors: &errors)
            } else {
                errors.append(FieldError("\(pointer)/groups", "is required (an empty array means the Default group)"))
            }
            users.append(NewUser(email: input.email ?? "", groupIds: groups))
        }
        if !errors.isEmpty { throw DirectoryError.invalid("Some users are not valid; nothing was created.", errors) }
        let invitations = users.map { _ in tokens.newInvitation() }
        return try await store.createUsers(
            tenantId: principal.tenantId, users: users, invitations: invitations, pointerPrefix: prefix, invitationTTL: invitationTTL
        )
    }

    public func listUsers(_ principal: Principal, rawQuery: String?) async throws -> Page<User> {
        let query = try ListQuery.parse(rawQuery, schema: .users)
        return try await store.listUsers(tenantId: principal.tenantId, query: query)
    }

    public func user(_ principal: Principal, id: String) async throws -> User {
        try await store.user(tenantId: principal.tenantId, id: Validation.pathId(id, name: "id"))
    }

    /// Edits first name, last name and image; nil leaves a field as it is, "" clears it.
    public func updateUser(_ principal: Principal, id: String, change: UserProfileChange) async throws -> User {
        let userId = try Validation.pathId(id, name: "id")
        _ = try await store.user(tenantId: principal.tenantId, id: userId)
        var errors: [FieldError] = []
        Validation.checkLength(change.firstName, limit: Validation.maxNameLength, pointer: "/firstName", errors: &errors)
        Validation.checkLength(change.lastName, limit: Validation.maxNameLength, pointer: "/lastName", errors: &errors)
        Validation.checkLength(change.image, limit: Validation.maxImageLength, pointer: "/image", errors: &errors)
        if let limit = change.maxDevices, let value = limit, value < 0 { errors.append(FieldError("/maxDevices", "must not be negative")) }
        if !errors.isEmpty { throw DirectoryError.invalid("The user is not valid.", errors) }
        return try await store.updateUser(tenantId: principal.tenantId, id: userId, change: change)
    }

    public func deleteUser(_ principal: Principal, id: String) async throws {
        try await store.deleteUser(tenantId: principal.tenantId, id: Validation.pathId(id, name: "id"))
    }

    public func deactivateUser(_ principal: Principal, id: String) async throws -> User {
        try await store.deactivateUser(tenantId: principal.tenantId, id: Validation.pathId(id, name: "id"))
    }

    public func reactivateUser(_ principal: Principal, id: String) async throws -> User {
        try await store.reactivateUser(tenantId: principal.tenantId, id: Validation.pathId(id, name: "id"))
    }

    public func reinviteUser(_ principal: Principal, id: String) async throws {
        try await store.reinviteUser(
            tenantId: principal.tenantId, id: Validation.pathId(id, name: "id"), invitation: tokens.newInvitation(), invitationTTL: invitationTTL
        )
    }

    public func userRoles(_ principal: Principal, id: String, rolesOnly: Bool, groupsOnly: Bool) async throws -> [Role] {
        let userId = try Validation.pathId(id, name: "id")
        if rolesOnly && groupsOnly {
            _ = try await store.user(tenantId: principal.tenantId, id: userId)
            throw DirectoryError.invalid(
                "rolesOnly and groupsOnly cannot both be true.", [FieldError("query:rolesOnly", "conflicts with groupsOnly")]
            )
        }
        let source: DirectoryStore.RoleSource = rolesOnly ? .direct : groupsOnly ? .groups : .effective
        return try await store.userRoles(tenantId: principal.tenantId, id: userId, source: source)
    }

    /// Adds and removes direct roles; malformed ids or one id in both lists is 400.
    public func updateUserRoles(_ principal: Principal, id: String, added: [String], removed: [String]) async throws -> User {
        let userId = try Validation.pathId(id, name: "id")
        _ = try await store.user(tenantId: principal.tenantId, id: userId)
        var errors: [FieldError] = []
        let addedIds = Validation.bodyIds(added, pointer: "/addedRoles", errors: &errors)
        let removedIds = Validation.bodyIds(removed, pointer: "/removedRoles", errors: &errors)
        for (index, roleId) in removedIds.enumerated() where addedIds.contains(roleId) {
            errors.append(FieldError("/removedRoles/\(index)", "role \(roleId) is also in addedRoles"))
        }
        if !errors.isEmpty { throw DirectoryError.invalid("The role changes are not valid.", errors) }
        return try await store.updateUserRoles(tenantId: principal.tenantId, id: userId, added: addedIds, removed: removedIds)
    }

    public func addUserToGroup(_ principal: Principal, id: String, groupId: String) async throws -> User {
        let userId = try Validation.pathId(id, name: "id")
        _ = try await store.user(tenantId: principal.tenantId, id: userId)
        guard let group = Identifiers.canonical(groupId) else {
            throw DirectoryError.invalid("groupId is not a UUID.", [FieldError("/groupId", "'\(groupId)' is not a UUID")])
        }
        return try await store.addUserToGroup(tenantId: principal.tenantId, id: userId, groupId: group)
    }

    public func removeUserFromGroup(_ principal: Principal, id: String, groupId: String) async throws {
        let userId = try Validation.pathId(id, name: "id")
        let group = try Validation.pathId(groupId, name: "groupId")
        try await store.removeUserFromGroup(tenantId: principal.tenantId, id: userId, groupId: group)
    }

    /// The user's latest invitation with its delivery state.
    public func userInvitation(_ principal: Principal, id: String) async throws -> (InvitationView, DeliveryState?) {
        try await store.latestInvitation(tenantId: principal.tenantId, userId: Validation.pathId(id, name: "id"))
    }

    // MARK: Invitations (the token is the credential)

    /// The invitation a link's token belongs to, if it can still be accepted: 404, 409 or 410 otherwise.
    public func invitation(token: String) async throws -> InvitationView {
        guard let invitation = try await store.invitation(tokenHash: Secrets.hash(token)) else {
            throw DirectoryError.notFound("No invitation has this token.")
        }
        try DirectoryStore.checkUsable(invitation, now: Timestamps.now())
        return invitation
    }

    /// Accepts an invitation with the person's names; the user becomes active and the token is used up.
    public func acceptInvitation(token: String, firstName: String?, lastName: String?) async throws -> User {
        _ = try await invitation(token: token)
        var errors: [FieldError] = []
        let first = (firstName ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let last = (lastName ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        // A form post is not checked as JSON; NUL cannot be stored, so refuse it here.
        if first.contains("\u{0}") { errors.append(FieldError("/firstName", "must not contain NUL characters")) }
        if last.contains("\u{0}") { errors.append(FieldError("/lastName", "must not contain NUL characters")) }
        if first.isEmpty { errors.append(FieldError("/firstName", "is required")) }
        if last.isEmpty { errors.append(FieldError("/lastName", "is required")) }
        Validation.checkLength(first, limit: Validation.maxNameLength, pointer: "/firstName", errors: &errors)
        Validation.checkLength(last, limit: Validation.maxNameLength, pointer: "/lastName", errors: &errors)
        if !errors.isEmpty { throw DirectoryError.invalid("Your first and last name are needed.", errors) }
        return try await store.acceptInvitation(tokenHash: Secrets.hash(token), firstName: first, lastName: last)
    }

    // MARK: Devices

    /// The largest posture object accepted, serialised.
    public static let maxPostureBytes = 16 * 1024

    public func listDevices(_ principal: Principal, rawQuery: String?) async throws -> Page<Device> {
        try await store.listDevices(tenantId: principal.tenantId, query: ListQuery.parse(rawQuery, schema: .devices))
    }

    public func device(_ principal: Principal, id: String) async throws -> Device {
        try await store.device(tenantId: principal.tenantId, id: Validation.pathId(id, name: "id"))
    }

    /// Registers a device; `posture` is the serialised JSON object.
    public func registerDevice(
        _ principal: Principal, userId: String, name: String, hardwareId: String, appVersion: String, posture: String?
    ) async throws -> Device {
        var errors: [FieldError] = []
        let user = Identifiers.canonical(userId)
        if user == nil { errors.append(FieldError("/userId", "'\(userId)' is not a UUID")) }
        let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let trimmedHardware = hardwareId.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmedName.isEmpty { errors.append(FieldError("/name", "must not be empty")) }
        if trimmedHardware.isEmpty { errors.append(FieldError("/hardwareId", "must not be empty")) }
        Validation.checkLength(trimmedName, limit: 200, pointer: "/name", errors: &errors)
        Validation.checkLength(trimmedHardware, limit: 200, pointer: "/hardwareId", errors: &errors)
        Validation.checkLength(appVersion, limit: 100, pointer: "/appVersion", errors: &errors)
        Self.checkPosture(posture, errors: &errors)
        if !errors.isEmpty { throw DirectoryError.invalid("The device is not valid.", errors) }
        return try await store.registerDevice(
            tenantId: principal.tenantId,
            device: NewDevice(userId: user!, name: trimmedName, hardwareId: trimmedHardware, appVersion: appVersion, posture: posture)
        )
    }

    static func checkPosture(_ posture: String?, errors: inout [FieldError]) {
        if let posture, posture.utf8.count > maxPostureBytes {
            errors.append(FieldError("/posture", "must be at most \(maxPostureBytes) bytes of JSON"))
        }
    }

    /// A heartbeat: the device (and its user) connected now, with optional updates.
    public func heartbeat(_ principal: Principal, id: String, appVersion: String?, posture: String?) async throws -> Device {
        let deviceId = try Validation.pathId(id, name: "id")
        _ = try await store.device(tenantId: principal.tenantId, id: deviceId)
        var errors: [FieldError] = []
        Validation.checkLength(appVersion, limit: 100, pointer: "/appVersion", errors: &errors)
        Self.checkPosture(posture, errors: &errors)
        if !errors.isEmpty { throw DirectoryError.invalid("The heartbeat is not valid.", errors) }
        return try await store.heartbeat(tenantId: principal.tenantId, id: deviceId, appVersion: appVersion, posture: posture)
    }

    public func deactivateDevice(_ principal: Principal, id: String) async throws -> Device {
        try await store.deactivateDevice(tenantId: principal.tenantId, id: Validation.pathId(id, name: "id"))
    }

    public func reactivateDevice(_ principal: Principal, id: String) async throws -> Device {
        try await store.reactivateDevice(tenantId: principal.tenantId, id: Validation.pathId(id, name: "id"))
    }

    public func deleteDevice(_ principal: Principal, id: String) async throws {
        try await store.deleteDevice(tenantId: principal.tenantId, id: Validation.pathId(id, name: "id"))
    }

    // MARK: Roles

    public func roles(_ principal: Principal) async throws -> [Role] {
        try await store.roles(tenantId: principal.tenantId)
    }

    public func role(_ principal: Principal, id: String) async throws -> Role {
        try await store.role(tenantId: principal.tenantId, id: Validation.pathId(id, name: "id"))
    }

    /// Holders of a role, at most 100 per call (`limit`, `offset` chunk the rest), with the total.
    public func roleUsers(_ principal: Principal, id: String, throughGroups: Bool, limit: Int?, offset: Int?) async throws -> Page<User> {
        let roleId = try Validation.pathId(id, name: "id")
        var errors: [FieldError] = []
        if let limit, limit < 0 { errors.append(FieldError("query:limit", "must be a non-negative integer")) }
        if let offset, offset < 0 { errors.append(FieldError("query:offset", "must be a non-negative integer")) }
        if let offset, offset > ListQuery.maxOffset { errors.append(FieldError("query:offset", "must be at most \(ListQuery.maxOffset)")) }
        if !errors.isEmpty { throw DirectoryError.invalid("The list parameters are not valid.", errors) }
        return try await store.roleUsers(
            tenantId: principal.tenantId, roleId: roleId, throughGroups: throughGroups,
            limit: min(limit ?? ListQuery.maxLimit, ListQuery.maxLimit), offset: offset ?? 0
        )
    }

    public func removeRole(_ principal: Principal, roleId: String, userId: String) async throws {
        let role = try Validation.pathId(roleId, name: "id")
        let user = try Validation.pathId(userId, name: "userId")
        try await store.removeRole(tenantId: principal.tenantId, roleId: role, userId: user)
    }

    // MARK: Audit

    /// A page of the audit log, newest first, with the cursor of the next page. Admin keys only.
    public func auditEvents(
        _ principal: Principal, targetId: String?, actorId: String?, action: String?, since: Millis?, until: Millis?, limit: Int?, after: String?
    ) async throws -> (events: [AuditEvent], nextCursor: String?) {
        if principal.readOnly { throw DirectoryError.forbidden("The audit log is readable with an admin key only.") }
        var errors: [FieldError] = []
        func uuid(_ value: String?, _ name: String) -> String? {
            guard let value else { return nil }
            guard let id = Identifiers.canonical(value) else {
                errors.append(FieldError("query:\(name)", "'\(value)' is not a UUID"))
                return nil
            }
            return id
        }
        let query = AuditQuery(
            targetId: uuid(targetId, "targetId"), actorId: uuid(actorId, "actorId"), action: action, since: since, until: until,
            limit: min(limit ?? AuditQuery.defaultLimit, AuditQuery.maxLimit), after: uuid(after, "after")
        )
        if let limit, limit < 1 { errors.append(FieldError("query:limit", "must be at least 1")) }
        if let action, action.isEmpty || action.utf8.count > 64 { errors.append(FieldError("query:action", "must be 1 to 64 characters")) }
        // PostgreSQL text cannot hold NUL: refuse it as input instead of failing the query.
        if let action, action.contains("\u{0}") { errors.append(FieldError("query:action", "must not contain NUL characters")) }
        if !errors.isEmpty { throw DirectoryError.invalid("The audit query is not valid.", errors) }
        let events = try await store.auditEvents(tenantId: principal.tenantId, query: query)
        return (events, events.count == query.limit ? events.last?.id : nil)
    }

    // MARK: Groups

    public func listGroups(_ principal: Principal, rawQuery: String?) async throws -> Page<Group> {
        try await store.listGroups(tenantId: principal.tenantId, query: ListQuery.parse(rawQuery, schema: .groups))
    }

    public func group(_ principal: Principal, id: String) async throws -> Group {
        try await store.group(tenantId: principal.tenantId, id: Validation.pathId(id, name: "id"))
    }

    public func createGroup(_ principal: Principal, _ input: GroupInput) async throws -> Group {
        try await store.createGroup(tenantId: principal.tenantId, draft: Self.draft(input))
    }

    public func replaceGroup(_ principal: Principal, id: String, _ input: GroupInput) async throws -> Group {
        let groupId = try Validation.pathId(id, name: "id")
        _ = try await store.group(tenantId: principal.tenantId, id: groupId)
        return try await store.replaceGroup(tenantId: principal.tenantId, id: groupId, draft: Self.draft(input))
    }

    public func deleteGroup(_ principal: Principal, id: String) async throws {
        try await store.deleteGroup(tenantId: principal.tenantId, id: Validation.pathId(id, name: "id"))
    }

    static func draft(_ input: GroupInput) throws(DirectoryError) -> GroupDraft {
        var errors: [FieldError] = []
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { errors.append(FieldError("/name", "must not be empty")) }
        Validation.checkLength(name, limit: Validation.maxNameLength, pointer: "/name", errors: &errors)
        Validation.checkLength(input.description, limit: Validation.maxDescriptionLength, pointer: "/description", errors: &errors)
        if let max = input.maxDevices, max < 0 { errors.append(FieldError("/maxDevices", "must not be negative")) }
        var roleIds = Validation.bodyIds(input.roles, pointer: "/roles", errors: &errors)
        let mapping = input.idpMapping ?? []
        for (index, entry) in mapping.enumerated() {
            Validation.checkLength(entry, limit: 256, pointer: "/idpMapping/\(index)", errors: &errors)
        }
        if mapping.count > 100 { errors.append(FieldError("/idpMapping", "must hold at most 100 entries")) }
        if !errors.isEmpty { throw DirectoryError.invalid("The group is not valid.", errors) }
        var seen = Set<String>()
        roleIds = roleIds.filter { seen.insert($0).inserted }
        let description = input.description.flatMap { $0.isEmpty ? nil : $0 }
        return GroupDraft(
            name: name, description: description, roleIds: roleIds, maxDevices: input.maxDevices,
            isSamlDefaultGroup: input.isSamlDefaultGroup ?? false, idpMapping: mapping
        )
    }
}
