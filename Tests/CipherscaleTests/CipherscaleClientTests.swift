import CipherscaleAPI
import CipherscaleClient
import Foundation
import SQLKit
import Testing

@testable import Cipherscale

/// The `CipherscaleClient` library against a live server: the generated client, the key, dates with
/// milliseconds, the override types both ways, and problems as typed errors.
@Suite("CipherscaleClient library")
struct CipherscaleClientTests {
    @Test("a user reads back with millisecond timestamps, the profile types encode both ways, and a 404 is a typed problem")
    func library() async throws {
        try await withLiveServer { server in
            try await CipherscaleClient.withClient(url: server.url, apiKey: server.a.adminKey) { directory in
                let created = try await directory.createUsers(emails: ["grace@lib.example"], groups: [try await directory.defaultGroupID()])
                let id = try #require(created.first?.id)
                // A stored time with milliseconds: 2023-01-15T10:30:00.123Z.
                try await server.pool.transaction { db in
                    try await db.raw("UPDATE users SET created_at = \(bind: Int64(1_673_778_600_123)) WHERE id = \(bind: id)").run()
                }
                let user = try await directory.send { try await $0.getUser(path: .init(id: id)).ok.body.json }
                #expect(abs(user.createdAt.timeIntervalSince1970 - 1_673_778_600.123) < 0.000_5)
                #expect(CipherscaleClient.timestamp(user.createdAt) == "2023-01-15T10:30:00.123Z")
                #expect(user.maxDevices == nil && user.email == "grace@lib.example" && user.status == .pending)

                let limited = try await directory.send { api in
                    try await api.updateUser(path: .init(id: id), body: .json(UpdateUserBody(firstName: "Grace", maxDevices: .set(3)))).ok.body.json
                }
                #expect(limited.maxDevices == 3 && limited.firstName == "Grace")
                let unlimited = try await directory.send { api in
                    try await api.updateUser(path: .init(id: id), body: .json(UpdateUserBody(maxDevices: .clear))).ok.body.json
                }
                #expect(unlimited.maxDevices == nil && unlimited.firstName == "Grace")
                #expect(try CipherscaleClient.prettyJSON(unlimited).contains("\"maxDevices\" : null"))

                let unknown = "00000000-0000-4000-8000-000000000000"
                let problem = await #expect(throws: CipherscaleProblem.self) {
                    try await directory.send { try await $0.getUser(path: .init(id: unknown)).ok.body.json }
                }
                #expect(problem?.status == 404 && problem?.title.isEmpty == false && problem?.detail?.isEmpty == false)

                let invalid = await #expect(throws: CipherscaleProblem.self) {
                    try await directory.createUsers(emails: ["fine@lib.example", "not-an-email"], groups: [])
                }
                #expect(invalid?.status == 400 && invalid?.errors.map(\.pointer) == ["/1/email"], "\(String(describing: invalid))")
            }
            try await CipherscaleClient.withClient(url: server.url, apiKey: server.a.readOnlyKey) { directory in
                let refused = await #expect(throws: CipherscaleProblem.self) {
                    try await directory.createUsers(emails: ["x@lib.example"], groups: [])
                }
                #expect(refused?.status == 403)
            }
        }
    }
}
