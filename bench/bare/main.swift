import Foundation
import Hummingbird

// The framework's floor for scripts/bench.sh: Hummingbird alone, nothing of the directory.
// `GET /` answers a static body; `GET /user` encodes a user-sized object with Foundation's
// JSONEncoder (the shape and size of one user answer), so each scenario of the directory can be
// read as a share of what the framework itself does on this machine in the same run.

/// A role or group as a user answer embeds it.
struct Membership: Codable, Sendable {
    var id: String
    var name: String
    var type: String?
    var description: String
    var createdAt: String
    var updatedAt: String
}

/// A user as `GET /tenants/users/{id}` answers one: fields, two roles, one group, no devices.
struct BareUser: ResponseEncodable, Sendable {
    var id: String
    var email: String
    var firstName: String?
    var lastName: String?
    var status: String
    var isOwner: Bool
    var maxDevices: Int?
    var createdAt: String
    var updatedAt: String
    var lastConnection: String?
    var roles: [Membership]
    var groups: [Membership]
    var devices: [String]
}

let stamp = "2026-11-29T10:46:12.345Z"
let user = BareUser(
    id: "01a2331c-9a5e-713a-b73c-0dd70daf3de7", email: "ada.lovelace.1234@example.com", firstName: "Ada", lastName: "Lovelace",
    status: "active", isOwner: false, maxDevices: nil, createdAt: stamp, updatedAt: stamp, lastConnection: stamp,
    roles: [
        Membership(
            id: "01a2331c-9a5e-713c-b26c-63036d0eb66f", name: "Default", type: "DEFAULT",
            description: "Granted to every member of the Default group.", createdAt: stamp, updatedAt: stamp),
        Membership(
            id: "01a2331c-9a5e-713d-b26c-63036d0eb670", name: "Basic", type: "BASIC",
            description: "May connect to the network with their own devices.", createdAt: stamp, updatedAt: stamp),
    ],
    groups: [
        Membership(
            id: "01a2331c-9a5e-713e-b26c-63036d0eb671", name: "Default", type: nil,
            description: "Every user belongs to at least one group; new users without groups join this one.", createdAt: stamp,
            updatedAt: stamp)
    ],
    devices: []
)

let router = Router()
router.get("/") { _, _ in "ok" }
router.get("/health") { _, _ in "{\"status\":\"ok\"}" }
router.get("/user") { _, _ in user }
let port = Int(ProcessInfo.processInfo.environment["PORT"] ?? "") ?? 8081
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "bare"))
try await app.runService()
