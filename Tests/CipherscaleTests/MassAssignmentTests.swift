import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

/// Fields a client must not set (`id`, `isOwner`, `status`, `createdAt`, `tenant`, and their
/// look-alikes) are ignored or refused on every write body, never applied.
@Suite("Mass assignment")
struct MassAssignmentTests {
    /// An id no server would make for this test's resources.
    static let foreignId = "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f"
    static let ancient = "2001-01-01T00:00:00Z"

    /// Fields no client may set, with values that would be wrong if applied. `status` is the
    /// status the attacker wants.
    static func forbidden(_ world: TestWorld, status: String) -> [String: Any] {
        [
            "id": foreignId, "isOwner": true, "is_owner": true, "owner": true, "status": status,
            "createdAt": ancient, "created_at": ancient, "updatedAt": ancient, "updated_at": ancient,
            "tenant": world.b.id, "tenantId": world.b.id, "tenant_id": world.b.id,
        ]
    }

    /// `body` with `extra` added; the fields of `body` win.
    static func with(_ body: [String: Any], _ extra: [String: Any]) -> [String: Any] {
        body.merging(extra) { own, _ in own }
    }

    /// True when the write was accepted with `expected`; otherwise checks that it was refused
    /// with a 400 or 422 problem and answers false.
    static func accepted(
        _ reply: Reply, _ expected: HTTPResponse.Status, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        if reply.status == expected { return true }
        #expect([400, 422].contains(reply.status.code), "\(label): \(reply.status.code) \(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.contentType == "application/problem+json", "\(label)", sourceLocation: sourceLocation)
        return false
    }

    /// Checks that a timestamp was made by the server between `since` and now.
    static func expectRecent(_ value: Any?, since: Millis, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let millis = (value as? String).flatMap(Timestamps.parse)
        #expect(millis.map { $0 >= since - 1000 && $0 <= Timestamps.now() + 1000 } == true, "\(label): \(value ?? "nil")", sourceLocation: sourceLocation)
    }

    /// Checks a User answer: the expected id (or a fresh server-made one), not the owner, the
    /// expected status, and the expected creation time (or a recent one).
    static func expectUser(
        _ user: [String: Any], id: String?, status: String, createdAt: String?, since: Millis, isOwner: Bool = false, _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let actual = user["id"] as? String
        #expect(actual != foreignId, "\(label): the client's id was used", sourceLocation: sourceLocation)
        if let id {
            #expect(actual == id, "\(label)", sourceLocation: sourceLocation)
        } else {
            #expect(actual.map { Identifiers.canonical($0) == $0 } == true, "\(label): \(actual ?? "nil")", sourceLocation: sourceLocation)
        }
        #expect(user["isOwner"] as? Bool == isOwner, "\(label): isOwner \(user["isOwner"] ?? "nil")", sourceLocation: sourceLocation)
        #expect(user["status"] as? String == status, "\(label): status \(user["status"] ?? "nil")", sourceLocation: sourceLocation)
        if let createdAt {
            #expect(user["createdAt"] as? String == createdAt, "\(label): createdAt \(user["createdAt"] ?? "nil")", sourceLocation: sourceLocation)
        } else {
            expectRecent(user["createdAt"], since: since, "\(label) createdAt", sourceLocation: sourceLocation)
        }
        expectRecent(user["updatedAt"], since: since, "\(label) updatedAt", sourceLocation: sourceLocation)
    }

    /// The path answers 200 to tenant A and a 404 problem to tenant B.
    static func expectOnlyInTenantA(_ world: TestWorld, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let mine = try await world.request(.get, path)
        #expect(mine.status == .ok, "\(path) as A: \(mine.status.code) \(mine.text)", sourceLocation: sourceLocation)
        let theirs = try await world.request(.get, path, auth: .key(world.b.adminKey))
        #expect(theirs.status == .notFound, "\(path) as B: \(theirs.status.code) \(theirs.text)", sourceLocation: sourceLocation)
    }

    /// Tenant B still has only its owner, its Default group and no devices, and nothing of A has the client's id.
    static func expectTenantBUntouched(_ world: TestWorld, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let keyB = Auth.key(world.b.adminKey)
        let users = try await world.request(.get, "/tenants/users?limit=100", auth: keyB)
        #expect((users.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == [world.b.ownerId], "\(users.text)", sourceLocation: sourceLocation)
        let groups = try await world.request(.get, "/tenants/groups?limit=100", auth: keyB)
        #expect((groups.object["data"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } == ["Default"], "\(groups.text)", sourceLocation: sourceLocation)
        let devices = try await world.request(.get, "/tenants/devices?limit=0", auth: keyB)
        #expect(devices.object["total"] as? Int == 0, "\(devices.text)", sourceLocation: sourceLocation)
        for path in ["/tenants/users/\(foreignId)", "/tenants/groups/\(foreignId)", "/tenants/devices/\(foreignId)"] {
            #expect(try await world.request(.get, path).status == .notFound, "\(path) exists", sourceLocation: sourceLocation)
            #expect(try await world.request(.get, path, auth: keyB).status == .notFound, "\(path) exists in B", sourceLocation: sourceLocation)
        }
    }

    /// The types of a user's effective roles.
    static func roleTypes(_ user: [String: Any]) -> Set<String> {
        Set((user["roles"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String })
    }

    // MARK: - Users

    @Test("creating one user with id, isOwner, status, createdAt, tenant and roles in the body makes a pending, non-owner user of tenant A with a server id")
    func createOneUser() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let since = Timestamps.now()
            let body = Self.with(["email": "mass@example.com", "groups": [String]()], Self.forbidden(world, status: "active").merging([
                "roles": [admin], "lastConnection": Self.ancient, "invitationAccepted": true,
            ]) { $1 })
            let reply = try await world.request(.post, "/tenants/users", json: body)
            if Self.accepted(reply, .created, "create") {
                Self.expectUser(reply.object, id: nil, status: "pending", createdAt: nil, since: since, "create answer")
                #expect(reply.object["email"] as? String == "mass@example.com")
                #expect(Self.roleTypes(reply.object) == ["DEFAULT"])
                #expect(reply.object["lastConnection"] == nil)
                let id = try #require(reply.object["id"] as? String)
                let read = try await world.request(.get, "/tenants/users/\(id)")
                Self.expectUser(read.object, id: id, status: "pending", createdAt: reply.object["createdAt"] as? String, since: since, "read back")
                #expect(Self.roleTypes(read.object) == ["DEFAULT"])
                try await Self.expectOnlyInTenantA(world, "/tenants/users/\(id)")
                let invitation = try await world.request(.get, "/tenants/users/\(id)/invitation")
                #expect(invitation.object["status"] as? String == "pending", "\(invitation.text)")
            } else {
                let found = try await world.request(.get, "/tenants/users?filter[email]=mass@example.com")
                #expect(found.object["total"] as? Int == 0)
            }
            let owners = try await world.request(.get, "/tenants/roles/\(try await world.roleId("OWNER"))/users")
            #expect(owners.array.compactMap { $0["id"] as? String } == [world.a.ownerId])
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("a batch whose items all carry the same client id, isOwner, status, createdAt and tenant makes pending users with distinct server ids")
    func createBatch() async throws {
        try await withWorld { world in
            let since = Timestamps.now()
            let extra = Self.forbidden(world, status: "inactive")
            let emails = ["batch1@example.com", "batch2@example.com"]
            let reply = try await world.request(.post, "/tenants/users", json: emails.map { Self.with(["email": $0, "groups": [String]()], extra) })
            if Self.accepted(reply, .created, "batch") {
                let users = reply.array
                #expect(users.compactMap { $0["email"] as? String } == emails)
                #expect(Set(users.compactMap { $0["id"] as? String }).count == 2)
                for (index, user) in users.enumerated() {
                    Self.expectUser(user, id: nil, status: "pending", createdAt: nil, since: since, "batch item \(index)")
                    let id = try #require(user["id"] as? String)
                    let read = try await world.request(.get, "/tenants/users/\(id)")
                    Self.expectUser(read.object, id: id, status: "pending", createdAt: user["createdAt"] as? String, since: since, "batch item \(index) read back")
                    try await Self.expectOnlyInTenantA(world, "/tenants/users/\(id)")
                }
            } else {
                #expect(try await world.request(.get, "/tenants/users?limit=0").object["total"] as? Int == 1)
            }
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("PUT user with id, isOwner, status, createdAt, tenant, email and roles changes only the profile fields")
    func updateUser() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let id = try await world.createUsers(["profile@example.com"])[0]
            let before = try await world.request(.get, "/tenants/users/\(id)").object
            let since = Timestamps.now()
            let body = Self.with(["firstName": "Mallory"], Self.forbidden(world, status: "active").merging([
                "email": "hijack@example.com", "roles": [admin], "groups": [String](), "lastConnection": Self.ancient,
            ]) { $1 })
            let reply = try await world.request(.put, "/tenants/users/\(id)", json: body)
            let applied = Self.accepted(reply, .ok, "PUT user")
            if applied {
                Self.expectUser(reply.object, id: id, status: "pending", createdAt: before["createdAt"] as? String, since: since, "PUT answer")
                #expect(reply.object["firstName"] as? String == "Mallory")
                #expect(reply.object["email"] as? String == "profile@example.com")
                #expect(Self.roleTypes(reply.object) == ["DEFAULT"])
                #expect(reply.object["lastConnection"] == nil)
            }
            let read = try await world.request(.get, "/tenants/users/\(id)").object
            #expect(read["id"] as? String == id)
            #expect(read["isOwner"] as? Bool == false)
            #expect(read["status"] as? String == "pending")
            #expect(read["createdAt"] as? String == before["createdAt"] as? String)
            #expect(read["email"] as? String == "profile@example.com")
            #expect(read["firstName"] as? String == (applied ? "Mallory" : nil))
            #expect(Self.roleTypes(read) == ["DEFAULT"])
            try await Self.expectOnlyInTenantA(world, "/tenants/users/\(id)")
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("PUT on the owner with isOwner false and status inactive leaves the owner active and the owner")
    func updateOwner() async throws {
        try await withWorld { world in
            let owner = world.a.ownerId
            let before = try await world.request(.get, "/tenants/users/\(owner)").object
            let since = Timestamps.now()
            var extra = Self.forbidden(world, status: "inactive")
            extra["isOwner"] = false
            extra["is_owner"] = false
            extra["owner"] = false
            let reply = try await world.request(.put, "/tenants/users/\(owner)", json: Self.with(["lastName": "Still in charge"], extra))
            if Self.accepted(reply, .ok, "PUT owner") {
                Self.expectUser(reply.object, id: owner, status: "active", createdAt: before["createdAt"] as? String, since: since, isOwner: true, "PUT owner answer")
            }
            let read = try await world.request(.get, "/tenants/users/\(owner)").object
            #expect(read["isOwner"] as? Bool == true)
            #expect(read["status"] as? String == "active")
            #expect(read["createdAt"] as? String == before["createdAt"] as? String)
            #expect(Self.roleTypes(read) == ["OWNER", "DEFAULT"])
            // Still the owner by every rule: it cannot be deleted.
            try await world.request(.delete, "/tenants/users/\(owner)").expectProblem(.forbidden)
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("PATCH roles with id, isOwner, status, createdAt and tenant in the body changes only the roles")
    func updateRoles() async throws {
        try await withWorld { world in
            let billing = try await world.roleId("BILLING")
            let id = try await world.createUsers(["roles@example.com"])[0]
            let before = try await world.request(.get, "/tenants/users/\(id)").object
            let since = Timestamps.now()
            let body = Self.with(["addedRoles": [billing], "removedRoles": [String]()], Self.forbidden(world, status: "active"))
            let reply = try await world.request(.patch, "/tenants/users/\(id)/roles", json: body)
            let applied = Self.accepted(reply, .ok, "PATCH roles")
            if applied {
                Self.expectUser(reply.object, id: id, status: "pending", createdAt: before["createdAt"] as? String, since: since, "PATCH answer")
                #expect(Self.roleTypes(reply.object) == ["BILLING", "DEFAULT"])
            }
            let read = try await world.request(.get, "/tenants/users/\(id)").object
            #expect(read["isOwner"] as? Bool == false)
            #expect(read["status"] as? String == "pending")
            #expect(read["createdAt"] as? String == before["createdAt"] as? String)
            #expect(Self.roleTypes(read) == (applied ? ["BILLING", "DEFAULT"] : ["DEFAULT"]))
            try await Self.expectOnlyInTenantA(world, "/tenants/users/\(id)")
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("joining a group with id, userId, isOwner, status, createdAt and tenant in the body adds only the path's user")
    func joinGroup() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Joinable")
            let ids = try await world.createUsers(["joiner@example.com", "other@example.com"])
            let before = try await world.request(.get, "/tenants/users/\(ids[0])").object
            let since = Timestamps.now()
            var extra = Self.forbidden(world, status: "active")
            extra["userId"] = ids[1]
            extra["user_id"] = ids[1]
            let reply = try await world.request(.post, "/tenants/users/\(ids[0])/groups", json: Self.with(["groupId": group], extra))
            let applied = Self.accepted(reply, .created, "join")
            if applied {
                Self.expectUser(reply.object, id: ids[0], status: "pending", createdAt: before["createdAt"] as? String, since: since, "join answer")
            }
            let members = try await world.request(.get, "/tenants/groups/\(group)").object
            #expect((members["users"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == (applied ? [ids[0]] : []))
            #expect(members["userCount"] as? Int == (applied ? 1 : 0))
            let read = try await world.request(.get, "/tenants/users/\(ids[0])").object
            #expect(read["isOwner"] as? Bool == false)
            #expect(read["status"] as? String == "pending")
            #expect(read["createdAt"] as? String == before["createdAt"] as? String)
            try await Self.expectTenantBUntouched(world)
        }
    }

    // MARK: - Groups

    @Test("creating a group with id, createdAt, tenant, userCount, users, deleteable and isDefault makes an empty, deleteable group of tenant A")
    func createGroup() async throws {
        try await withWorld { world in
            let since = Timestamps.now()
            let extra = Self.forbidden(world, status: "active").merging([
                "userCount": 42, "users": [["id": world.a.ownerId]], "deleteable": false, "isDefault": true, "is_default": true,
            ]) { $1 }
            let reply = try await world.request(.post, "/tenants/groups", json: Self.with(["name": "Mass group", "roles": [String]()], extra))
            if Self.accepted(reply, .created, "create group") {
                let group = reply.object
                let id = try #require(group["id"] as? String)
                #expect(id != Self.foreignId && Identifiers.canonical(id) == id)
                Self.expectRecent(group["createdAt"], since: since, "group createdAt")
                #expect(group["userCount"] as? Int == 0)
                #expect((group["users"] as? [Any])?.isEmpty == true)
                #expect(group["deleteable"] as? Bool == true)
                let read = try await world.request(.get, "/tenants/groups/\(id)").object
                #expect(read["createdAt"] as? String == group["createdAt"] as? String)
                #expect(read["userCount"] as? Int == 0)
                #expect(read["deleteable"] as? Bool == true)
                try await Self.expectOnlyInTenantA(world, "/tenants/groups/\(id)")
                // The Default group is still the Default: new users land there, not in this group.
                let user = try await world.createUsers(["lands@example.com"])[0]
                let groups = try await world.request(.get, "/tenants/users/\(user)").object["groups"] as? [[String: Any]] ?? []
                #expect(groups.compactMap { $0["name"] as? String } == ["Default"])
                #expect(try await world.request(.delete, "/tenants/groups/\(id)").status == .noContent)
            } else {
                #expect(try await world.request(.get, "/tenants/groups?limit=0").object["total"] as? Int == 1)
            }
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("PUT group with id, createdAt, tenant, userCount, users and deleteable keeps the group's id, age, members and deletability")
    func updateGroup() async throws {
        try await withWorld { world in
            let group = try await world.createGroup("Before")
            let member = try await world.createUsers(["member@example.com"], groups: [group])[0]
            let before = try await world.request(.get, "/tenants/groups/\(group)").object
            let since = Timestamps.now()
            let extra = Self.forbidden(world, status: "active").merging([
                "userCount": 0, "users": [[String: Any]](), "deleteable": false, "isDefault": true,
            ]) { $1 }
            let reply = try await world.request(.put, "/tenants/groups/\(group)", json: Self.with(["name": "After", "roles": [String]()], extra))
            let applied = Self.accepted(reply, .ok, "PUT group")
            if applied {
                #expect(reply.object["id"] as? String == group)
                #expect(reply.object["createdAt"] as? String == before["createdAt"] as? String)
                Self.expectRecent(reply.object["updatedAt"], since: since, "group updatedAt")
                #expect(reply.object["name"] as? String == "After")
                #expect(reply.object["userCount"] as? Int == 1)
                #expect(reply.object["deleteable"] as? Bool == true)
            }
            let read = try await world.request(.get, "/tenants/groups/\(group)").object
            #expect(read["name"] as? String == (applied ? "After" : "Before"))
            #expect(read["createdAt"] as? String == before["createdAt"] as? String)
            #expect(read["userCount"] as? Int == 1)
            #expect((read["users"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == [member])
            #expect(read["deleteable"] as? Bool == true)
            try await Self.expectOnlyInTenantA(world, "/tenants/groups/\(group)")

            // The Default group cannot be made deleteable or ordinary through its body either.
            let defaultGroup = try await world.defaultGroupId()
            let defaultRole = try await world.roleId("DEFAULT")
            let defaultBefore = try await world.request(.get, "/tenants/groups/\(defaultGroup)").object
            let put = try await world.request(.put, "/tenants/groups/\(defaultGroup)", json: Self.with(
                ["name": "Default", "roles": [defaultRole]], extra.merging(["deleteable": true, "isDefault": false]) { $1 }
            ))
            #expect(put.status.code < 500, "\(put.text)")
            let defaultAfter = try await world.request(.get, "/tenants/groups/\(defaultGroup)").object
            #expect(defaultAfter["deleteable"] as? Bool == false)
            #expect(defaultAfter["createdAt"] as? String == defaultBefore["createdAt"] as? String)
            #expect(defaultAfter["userCount"] as? Int == defaultBefore["userCount"] as? Int)
            try await world.request(.delete, "/tenants/groups/\(defaultGroup)").expectProblem(.conflict)
            try await Self.expectTenantBUntouched(world)
        }
    }

    // MARK: - Devices

    @Test("registering a device with id, status, active false, lastConnection, createdAt, tenant and another owner makes an active, Offline device of the named user")
    func registerDevice() async throws {
        try await withWorld { world in
            let user = try await world.createUsers(["device@example.com"])[0]
            let since = Timestamps.now()
            let extra = Self.forbidden(world, status: "Deactivated").merging([
                "active": false, "lastConnection": Self.ancient, "user": ["id": world.a.ownerId],
            ]) { $1 }
            let body = Self.with(["userId": user, "name": "Laptop", "hardwareId": "HW-MASS-1", "appVersion": "1.0.0"], extra)
            let reply = try await world.request(.post, "/tenants/devices", json: body)
            if Self.accepted(reply, .created, "register") {
                let device = reply.object
                let id = try #require(device["id"] as? String)
                #expect(id != Self.foreignId && Identifiers.canonical(id) == id)
                Self.expectRecent(device["createdAt"], since: since, "device createdAt")
                #expect(device["active"] as? Bool == true)
                #expect(device["status"] as? String == "Offline")
                #expect(device["lastConnection"] == nil)
                #expect((device["user"] as? [String: Any])?["id"] as? String == user)
                let read = try await world.request(.get, "/tenants/devices/\(id)").object
                #expect(read["createdAt"] as? String == device["createdAt"] as? String)
                #expect(read["active"] as? Bool == true)
                #expect(read["status"] as? String == "Offline")
                #expect((read["user"] as? [String: Any])?["id"] as? String == user)
                try await Self.expectOnlyInTenantA(world, "/tenants/devices/\(id)")
                let owner = try await world.request(.get, "/tenants/users/\(world.a.ownerId)").object
                #expect((owner["devices"] as? [Any])?.isEmpty == true)
            } else {
                #expect(try await world.request(.get, "/tenants/devices?limit=0").object["total"] as? Int == 0)
            }
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("a heartbeat with id, status, active false, lastConnection, createdAt, tenant, hardwareId, name and owner only records the connection and appVersion")
    func heartbeat() async throws {
        try await withWorld { world in
            let user = try await world.createUsers(["beat@example.com"])[0]
            let registered = try await world.request(.post, "/tenants/devices", json: ["userId": user, "name": "Laptop", "hardwareId": "HW-BEAT", "appVersion": "1.0.0"])
            #expect(registered.status == .created, "\(registered.text)")
            let id = try #require(registered.object["id"] as? String)
            let since = Timestamps.now()
            let extra = Self.forbidden(world, status: "Deactivated").merging([
                "active": false, "lastConnection": Self.ancient, "hardwareId": "HW-OTHER", "name": "Renamed",
                "userId": world.a.ownerId, "user": ["id": world.a.ownerId],
            ]) { $1 }
            let reply = try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: Self.with(["appVersion": "1.1.0"], extra))
            let applied = Self.accepted(reply, .ok, "heartbeat")
            if applied {
                let device = reply.object
                #expect(device["id"] as? String == id)
                #expect(device["status"] as? String == "Online")
                #expect(device["active"] as? Bool == true)
                Self.expectRecent(device["lastConnection"], since: since, "lastConnection")
                #expect(device["appVersion"] as? String == "1.1.0")
            }
            let read = try await world.request(.get, "/tenants/devices/\(id)").object
            #expect(read["id"] as? String == id)
            #expect(read["createdAt"] as? String == registered.object["createdAt"] as? String)
            #expect(read["active"] as? Bool == true)
            #expect(read["status"] as? String == (applied ? "Online" : "Offline"))
            #expect(read["hardwareId"] as? String == "HW-BEAT")
            #expect(read["name"] as? String == "Laptop")
            #expect((read["user"] as? [String: Any])?["id"] as? String == user)
            if applied {
                Self.expectRecent(read["lastConnection"], since: since, "lastConnection read back")
            } else {
                #expect(read["lastConnection"] == nil)
            }
            try await Self.expectOnlyInTenantA(world, "/tenants/devices/\(id)")
            try await Self.expectTenantBUntouched(world)
        }
    }

    // MARK: - Invitations

    /// Creates a pending user and returns their id and the token of their invitation.
    static func invited(_ world: TestWorld, _ email: String) async throws -> (id: String, token: String) {
        let id = try await world.createUsers([email])[0]
        let transport = RecordingTransport()
        try await world.worker(transport).processDue()
        let mail = try #require(transport.sent.first { $0.to == email })
        return (id, try #require(MailText.token(mail)))
    }

    @Test("accepting an invitation with JSON holding id, isOwner, status inactive, createdAt, tenant, email and roles activates only the invited user")
    func acceptWithJSON() async throws {
        try await withWorld { world in
            let admin = try await world.roleId("ADMIN")
            let (id, token) = try await Self.invited(world, "invited@example.com")
            let before = try await world.request(.get, "/tenants/users/\(id)").object
            let since = Timestamps.now()
            let extra = Self.forbidden(world, status: "inactive").merging([
                "email": "evil@example.com", "roles": [admin], "groups": [String](),
            ]) { $1 }
            let reply = try await world.request(.post, "/invitations/\(token)/accept", auth: .none, json: Self.with(["firstName": "Ada", "lastName": "Lovelace"], extra))
            let applied = Self.accepted(reply, .ok, "accept")
            if applied {
                Self.expectUser(reply.object, id: id, status: "active", createdAt: before["createdAt"] as? String, since: since, "accept answer")
                #expect(reply.object["email"] as? String == "invited@example.com")
                #expect(Self.roleTypes(reply.object) == ["DEFAULT"])
            }
            let read = try await world.request(.get, "/tenants/users/\(id)").object
            Self.expectUser(read, id: id, status: applied ? "active" : "pending", createdAt: before["createdAt"] as? String, since: applied ? since : 0, "read back")
            #expect(read["email"] as? String == "invited@example.com")
            #expect(Self.roleTypes(read) == ["DEFAULT"])
            try await Self.expectOnlyInTenantA(world, "/tenants/users/\(id)")
            try await Self.expectTenantBUntouched(world)
        }
    }

    @Test("accepting an invitation with a form holding id, isOwner, status, createdAt and tenant activates only the invited user")
    func acceptWithForm() async throws {
        try await withWorld { world in
            let (id, token) = try await Self.invited(world, "former@example.com")
            let before = try await world.request(.get, "/tenants/users/\(id)").object
            let since = Timestamps.now()
            let fields = [
                "firstName=Grace", "lastName=Hopper", "id=\(Self.foreignId)", "isOwner=true", "status=inactive",
                "createdAt=2001-01-01T00%3A00%3A00Z", "tenant=\(world.b.id)", "tenantId=\(world.b.id)", "email=evil%40example.com",
            ]
            let reply = try await world.request(
                .post, "/invitations/\(token)/accept", auth: .none, rawBody: fields.joined(separator: "&"),
                headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"]
            )
            let applied = reply.status == .ok
            if !applied { #expect(reply.status == .badRequest, "form accept: \(reply.status.code) \(reply.text)") }
            let read = try await world.request(.get, "/tenants/users/\(id)").object
            Self.expectUser(read, id: id, status: applied ? "active" : "pending", createdAt: before["createdAt"] as? String, since: applied ? since : 0, "read back")
            #expect(read["email"] as? String == "former@example.com")
            #expect(read["firstName"] as? String == (applied ? "Grace" : nil))
            try await Self.expectOnlyInTenantA(world, "/tenants/users/\(id)")
            try await Self.expectTenantBUntouched(world)
        }
    }
}
