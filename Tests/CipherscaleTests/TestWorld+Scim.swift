import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

extension TestWorld {
    /// A SCIM request with `Authorization: Bearer` (tenant A's admin key unless `key` is given) and a
    /// `application/scim+json` body.
    @discardableResult
    func scim(
        _ method: HTTPRequest.Method, _ path: String, json: Any? = nil, key: String? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        var all = ["Authorization": "Bearer \(key ?? a.adminKey)", "Accept": "application/scim+json"]
        for (name, value) in headers { all[name] = value }
        guard let json else { return try await request(method, "/scim/v2" + path, auth: .none, headers: all) }
        let body = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        all["Content-Type"] = "application/scim+json"
        return try await request(method, "/scim/v2" + path, auth: .none, rawBody: body, headers: all)
    }

    /// Creates a user over SCIM and returns its resource; fails the test unless 201.
    func scimUser(_ email: String, given: String? = nil, family: String? = nil, externalId: String? = nil, key: String? = nil) async throws
        -> [String: Any]
    {
        var body: [String: Any] = [
            "schemas": [ScimURN.user], "userName": email, "active": true,
            "emails": [["value": email, "type": "work", "primary": true]],
        ]
        var name: [String: Any] = [:]
        if let given { name["givenName"] = given }
        if let family { name["familyName"] = family }
        if !name.isEmpty { body["name"] = name }
        if let externalId { body["externalId"] = externalId }
        let reply = try await scim(.post, "/Users", json: body, key: key)
        #expect(reply.status == .created, "\(reply.text)")
        return reply.object
    }

    /// The `Resources` of a SCIM list answer.
    func scimList(_ path: String, key: String? = nil) async throws -> (total: Int, resources: [[String: Any]]) {
        let reply = try await scim(.get, path, key: key)
        #expect(reply.status == .ok, "\(reply.text)")
        return (reply.object["totalResults"] as? Int ?? -1, reply.object["Resources"] as? [[String: Any]] ?? [])
    }
}

extension Reply {
    /// Checks that this is a SCIM error with `status` (and `scimType` when given).
    func expectScimError(_ expected: HTTPResponse.Status, _ scimType: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == expected, "\(text)", sourceLocation: sourceLocation)
        #expect(contentType == "application/scim+json", sourceLocation: sourceLocation)
        #expect(object["schemas"] as? [String] == [ScimURN.error], sourceLocation: sourceLocation)
        #expect(object["status"] as? String == String(expected.code), sourceLocation: sourceLocation)
        #expect(object["scimType"] as? String == scimType, "\(text)", sourceLocation: sourceLocation)
        #expect((object["detail"] as? String ?? "").count > 5, sourceLocation: sourceLocation)
    }
}
