import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import Testing

@testable import Cipherscale

/// Everything a test needs: the services, their store and clock, two tenants (A and B), and a client for the router.
struct TestWorld: Sendable {
    var services: DirectoryServices
    var store: SQLStore
    /// The clock every service reads; tests move time with it.
    var clock: ManualClock
    var a: TestTenant
    var b: TestTenant
    var client: any TestClientProtocol

    var pool: DatabasePool { store.pool }

    /// Sends a request as tenant A's admin unless `auth` says otherwise.
    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, auth: Auth = .adminA, json: Any? = nil, rawBody: String? = nil,
        headers: [String: String] = [:]
    ) async throws -> Reply {
        var fields = HTTPFields()
        switch auth {
        case .adminA: fields[HTTPField.Name("apikey")!] = a.adminKey
        case .key(let value): fields[HTTPField.Name("apikey")!] = value
        case .none: break
        }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
            fields[.contentType] = "application/json"
        } else if let rawBody {
            body = ByteBuffer(string: rawBody)
            fields[.contentType] = "application/json"
        }
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let response = try await client.executeRequest(uri: uri, method: method, headers: fields, body: body)
        return Reply(response: response)
    }

    /// Creates users in tenant A (or with `key`) and returns their ids; fails the test unless 201.
    func createUsers(_ emails: [String], groups: [String] = [], key: String? = nil) async throws -> [String] {
        let reply = try await request(.post, "/tenants/users", auth: .key(key ?? a.adminKey), json: emails.map { ["email": $0, "groups": groups] })
        #expect(reply.status == .created, "\(reply.text)")
        return reply.array.map { $0["id"] as! String }
    }

    /// The id of tenant A's role of a type (`ADMIN`).
    func roleId(_ type: String, key: String? = nil) async throws -> String {
        let roles = try await request(.get, "/tenants/roles", auth: .key(key ?? a.adminKey)).array
        return roles.first { $0["type"] as? String == type }!["id"] as! String
    }

    /// The id of tenant A's Default group.
    func defaultGroupId(key: String? = nil) async throws -> String {
        let groups = try await request(.get, "/tenants/groups?filter[name]=Default", auth: .key(key ?? a.adminKey)).object["data"] as! [[String: Any]]
        return groups[0]["id"] as! String
    }

    /// Creates a group in tenant A and returns its id.
    func createGroup(_ name: String, roles: [String] = []) async throws -> String {
        let reply = try await request(.post, "/tenants/groups", json: ["name": name, "roles": roles])
        #expect(reply.status == .created, "\(reply.text)")
        return reply.object["id"] as! String
    }
}
