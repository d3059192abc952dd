import Foundation
import Testing

@testable import Cipherscale

@Suite("Entity tags")
struct EntityTagTests {
    static let role = Role(id: "r1", type: .basic, name: "Basic", description: "d", deleteable: false, createdAt: 1, updatedAt: 2)
    static let device = Device(
        id: "d1", userId: "u1", name: "Laptop", hardwareId: "hw", appVersion: "1.0", posture: "{}", active: true, lastConnection: 5,
        createdAt: 3, updatedAt: 4, status: .online, owner: DeviceOwner(id: "u1", email: "a@b.c", firstName: "A", lastName: "B", lastConnection: 5)
    )
    static let user = User(
        id: "u1", email: "a@b.c", firstName: "A", lastName: "B", image: "i", status: .active, isOwner: false, maxDevices: 3,
        lastConnection: 5, createdAt: 1, updatedAt: 2, roles: [role],
        groups: [GroupSummary(id: "g1", name: "G", description: nil, createdAt: 1, updatedAt: 2)], devices: [device]
    )
    static let group = Group(
        id: "g1", name: "G", description: "d", isDefault: false, deleteable: true, maxDevices: nil, isSamlDefaultGroup: false,
        idpMapping: ["x"], memberCount: 1, createdAt: 1, updatedAt: 2, roles: [role],
        members: [GroupMember(id: "u1", email: "a@b.c", firstName: nil, lastName: "B", joinedAt: 3, updatedAt: 4)]
    )

    @Test("the tag covers every field: the models still have the fields the tag feeds")
    func fieldCounts() {
        // A new field in any of these models must be fed to the tag (TagFeed) before this count changes.
        #expect(Mirror(reflecting: Self.user).children.count == 15)
        #expect(Mirror(reflecting: Self.role).children.count == 7)
        #expect(Mirror(reflecting: Self.user.groups[0]).children.count == 5)
        #expect(Mirror(reflecting: Self.device).children.count == 12)
        #expect(Mirror(reflecting: Self.device.owner!).children.count == 5)
        #expect(Mirror(reflecting: Self.group).children.count == 14)
        #expect(Mirror(reflecting: Self.group.members![0]).children.count == 6)
    }

    @Test("changing any visible field of a user changes its tag; equal users have equal tags")
    func userTags() {
        let base = EntityTag.of(Self.user)
        #expect(base == EntityTag.of(Self.user))
        #expect(base.hasPrefix("\"") && base.hasSuffix("\"") && base.count == 34)
        var variants: [User] = []
        func vary(_ change: (inout User) -> Void) {
            var copy = Self.user
            change(&copy)
            variants.append(copy)
        }
        vary { $0.email = "b@b.c" }
        vary { $0.firstName = nil }
        vary { $0.firstName = "" }
        vary { $0.lastName = "A" }
        vary { $0.image = nil }
        vary { $0.status = .inactive }
        vary { $0.isOwner = true }
        vary { $0.maxDevices = nil }
        vary { $0.lastConnection = 6 }
        vary { $0.updatedAt = 3 }
        vary { $0.roles = [] }
        vary { $0.roles[0].name = "Other" }
        vary { $0.groups[0].name = "H" }
        vary { $0.groups = [] }
        vary { $0.devices[0].status = .offline }
        vary { $0.devices[0].posture = nil }
        vary { $0.devices = [] }
        // Texts are length-prefixed: moving characters between fields is a change too.
        vary {
            $0.firstName = "AB"
            $0.lastName = ""
        }
        let tags = variants.map(EntityTag.of)
        #expect(Set(tags).count == tags.count)
        #expect(!tags.contains(base))
    }

    @Test("changing any visible field of a group changes its tag")
    func groupTags() {
        let base = EntityTag.of(Self.group)
        var variants: [Group] = []
        func vary(_ change: (inout Group) -> Void) {
            var copy = Self.group
            change(&copy)
            variants.append(copy)
        }
        vary { $0.name = "H" }
        vary { $0.description = nil }
        vary { $0.maxDevices = 0 }
        vary { $0.isSamlDefaultGroup = true }
        vary { $0.idpMapping = [] }
        vary { $0.memberCount = 2 }
        vary { $0.roles = [] }
        vary { $0.members = nil }
        vary { $0.members = [] }
        vary { $0.members![0].joinedAt = 9 }
        let tags = variants.map(EntityTag.of)
        #expect(Set(tags).count == tags.count)
        #expect(!tags.contains(base))
    }
}
