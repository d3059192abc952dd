import Testing

@testable import Cipherscale

/// Every business rule of the domain, checked on plain values: no database, no HTTP.
@Suite struct RulesTests {
    static func user(_ status: UserStatus = .active, owner: Bool = false, maxDevices: Int? = nil) -> UserRecord {
        UserRecord(
            id: UserID.make(), email: "u@example.com", firstName: nil, lastName: nil, image: nil, status: status, isOwner: owner,
            maxDevices: maxDevices, lastConnection: nil, createdAt: 0, updatedAt: 0
        )
    }

    static func kind(_ body: () throws -> Void) -> DirectoryError.Kind? {
        do {
            try body()
            return nil
        } catch {
            return (error as? DirectoryError)?.kind
        }
    }

    @Test("the owner can be neither deleted nor deactivated; anyone else can")
    func ownerProtection() {
        #expect(Self.kind { try UserRules.checkCanDelete(Self.user(owner: true)) } == .forbidden)
        #expect(Self.kind { try UserRules.checkCanDeactivate(Self.user(owner: true)) } == .forbidden)
        #expect(Self.kind { try UserRules.checkCanDelete(Self.user()) } == nil)
        #expect(Self.kind { try UserRules.checkCanDeactivate(Self.user(.pending)) } == nil)
    }

    @Test("only a deactivated user is reactivated, back to active once they accepted an invitation, else pending")
    func reactivation() {
        #expect(Self.kind { try UserRules.checkCanReactivate(Self.user(.active)) } == .conflict)
        #expect(Self.kind { try UserRules.checkCanReactivate(Self.user(.inactive)) } == nil)
        #expect(UserRules.reactivatedStatus(invitationAccepted: true) == .active)
        #expect(UserRules.reactivatedStatus(invitationAccepted: false) == .pending)
    }

    @Test("only pending users are invited again or accept an invitation")
    func invitationStates() {
        #expect(Self.kind { try UserRules.checkCanReinvite(Self.user(.pending)) } == nil)
        #expect(Self.kind { try UserRules.checkCanReinvite(Self.user(.active)) } == .conflict)
        #expect(Self.kind { try UserRules.checkCanAcceptInvitation(Self.user(.inactive)) } == .conflict)
    }

    @Test("a user keeps at least one group, cannot join a group twice, and leaves only groups they are in")
    func memberships() {
        let (a, b) = (GroupID.make(), GroupID.make())
        #expect(Self.kind { try UserRules.checkCanLeave(a, memberships: [a]) } == .conflict)
        #expect(Self.kind { try UserRules.checkCanLeave(b, memberships: [a]) } == .notFound)
        #expect(Self.kind { try UserRules.checkCanLeave(a, memberships: [a, b]) } == nil)
        #expect(Self.kind { try UserRules.checkCanJoin(a, memberships: [a]) } == .conflict)
        #expect(Self.kind { try UserRules.checkCanJoin(b, memberships: [a]) } == nil)
    }

    @Test("a batch's unknown groups and taken emails are reported per item and position")
    func batchReferences() {
        let (known, unknown) = (GroupID.make(), GroupID.make())
        let users = [NewUser(email: "a@x.example", groupIds: [known]), NewUser(email: "B@x.example", groupIds: [known, unknown])]
        #expect(UserRules.unknownGroups(users, known: [known]).map(\.location) == [.body(item: 1, field: "groups", element: 1)])
        #expect(UserRules.takenEmails(users, existingKeys: ["b@x.example"]).map(\.location) == [.body(item: 1, field: "email")])
    }

    @Test("OWNER is never assigned, removed or granted by a group; unknown roles are 422 with their positions")
    func roles() {
        let owner = Role(id: RoleID.make(), type: .owner, name: "Owner", description: nil, deleteable: false, createdAt: 0, updatedAt: 0)
        let admin = Role(id: RoleID.make(), type: .admin, name: "Admin", description: nil, deleteable: false, createdAt: 0, updatedAt: 0)
        let roles = [owner.id: owner, admin.id: admin]
        #expect(Self.kind { try RoleRules.checkAssignable(added: [owner.id], removed: [], roles: roles) } == .forbidden)
        #expect(Self.kind { try RoleRules.checkAssignable(added: [admin.id], removed: [], roles: roles) } == nil)
        #expect(Self.kind { try RoleRules.checkAssignable(added: [], removed: [RoleID.make()], roles: roles) } == .unknownReference)
        #expect(Self.kind { try RoleRules.checkGrantable([owner.id], roles: roles) } == .forbidden)
        #expect(Self.kind { try RoleRules.checkRemovable(owner) } == .forbidden)
        #expect(
            RoleRules.unknownRoles([admin.id, RoleID.make()], field: "roles", roles: roles).map(\.location) == [
                .body(field: "roles", element: 1)
            ])
        #expect(RoleRules.sorted([admin, owner]).map(\.type) == [.owner, .admin])
    }

    @Test("the Default group cannot be deleted, and a group body is trimmed, checked and deduplicated")
    func groups() throws {
        let role = RoleID.make()
        let draft = try GroupRules.draft(
            GroupInput(
                name: "  Ops ", description: "", roles: [role.rawValue, role.rawValue.uppercased()], maxDevices: 2, isSamlDefaultGroup: nil,
                idpMapping: nil)
        )
        #expect(draft == GroupDraft(name: "Ops", description: nil, roleIds: [role], maxDevices: 2, isSamlDefaultGroup: false, idpMapping: []))
        #expect(
            Self.kind {
                _ = try GroupRules.draft(
                    GroupInput(name: " ", description: nil, roles: ["x"], maxDevices: -1, isSamlDefaultGroup: nil, idpMapping: nil))
            } == .invalidInput)
        #expect(Self.kind { try GroupRules.checkNameFree(true) } == .conflict)
    }

    @Test("device status: Deactivated when inactive, Online within the window of the last heartbeat, else Offline")
    func deviceStatus() {
        #expect(DeviceRules.status(active: false, lastConnection: 1_000, now: 1_000, window: 300_000) == .deactivated)
        #expect(DeviceRules.status(active: true, lastConnection: 1_000, now: 301_000, window: 300_000) == .online)
        #expect(DeviceRules.status(active: true, lastConnection: 1_000, now: 301_001, window: 300_000) == .offline)
        #expect(DeviceRules.status(active: true, lastConnection: nil, now: 0, window: 300_000) == .offline)
    }

    @Test("the device limit is the user's own, else their groups' largest; reaching it is 409, an inactive user 403")
    func deviceLimit() {
        #expect(DeviceRules.limit(own: 1, largestOfGroups: 5) == 1)
        #expect(DeviceRules.limit(own: nil, largestOfGroups: 5) == 5)
        #expect(DeviceRules.limit(own: nil, largestOfGroups: nil) == nil)
        #expect(Self.kind { try DeviceRules.checkCanRegister(owner: Self.user(), devices: 2, limit: 2) } == .conflict)
        #expect(Self.kind { try DeviceRules.checkCanRegister(owner: Self.user(), devices: 1, limit: 2) } == nil)
        #expect(Self.kind { try DeviceRules.checkCanRegister(owner: Self.user(.inactive), devices: 0, limit: nil) } == .forbidden)
    }

    @Test("an invitation is usable while pending and unexpired: accepted or replaced 409, expired 410")
    func invitations() {
        var invitation = InvitationView(
            id: InvitationID.make(), userId: UserID.make(), email: "i@x.example", tenantId: TenantID.make(), tenantName: "T",
            status: .pending, createdAt: 0, expiresAt: 1_000, consumedAt: nil
        )
        #expect(Self.kind { try InvitationRules.checkUsable(invitation, now: 999) } == nil)
        #expect(Self.kind { try InvitationRules.checkUsable(invitation, now: 1_000) } == .gone)
        invitation.status = .accepted
        #expect(Self.kind { try InvitationRules.checkUsable(invitation, now: 0) } == .conflict)
        invitation.status = .superseded
        #expect(Self.kind { try InvitationRules.checkUsable(invitation, now: 0) } == .conflict)
        #expect(Self.kind { _ = try InvitationRules.acceptedNames(firstName: " ", lastName: "B") } == .invalidInput)
    }

    @Test("jobs back off exponentially up to the cap, then give up with the last error")
    func retries() {
        let policy = RetryPolicy(baseDelay: 1_000, maxDelay: 5_000, maxAttempts: 3)
        #expect((1...4).map { policy.delay(afterAttempts: $0) } == [1_000, 2_000, 4_000, 5_000])
        let job = Job(id: "j", kind: "invitation", subjectId: "s", recipient: "r", attempts: 2)
        #expect(policy.outcome(ofTransientFailure: "busy", job: job, now: 10) == .retry(error: "busy", at: 2_010))
        var last = job
        last.attempts = 3
        #expect(policy.outcome(ofTransientFailure: "busy", job: last, now: 10) == .failed(error: "gave up after 3 attempts: busy"))
    }
}
