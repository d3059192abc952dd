import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import Cipherscale

/// A browser's view of the console: its session cookie and the CSRF token its pages carry.
struct ConsoleBrowser: Sendable {
    let world: TestWorld
    let cookie: String

    /// A page (or any console request) with the session cookie.
    func get(_ path: String) async throws -> Reply {
        try await world.client.executeRequest(uri: path, method: .get, headers: [.cookie: "cs_session=\(cookie)", .accept: "text/html"], body: nil)
            .asReply
    }

    /// Posts a form; `csrf` nil sends none, else the given token (the session's own by default).
    func post(_ path: String, _ fields: [(String, String)], csrf: String?? = .some(nil)) async throws -> Reply {
        var pairs = fields
        switch csrf {
        case .none: break
        case .some(.none): pairs.append(("csrf", try await csrfToken()))
        case .some(.some(let token)): pairs.append(("csrf", token))
        }
        let body = pairs.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await world.client.executeRequest(
            uri: path, method: .post,
            headers: [.cookie: "cs_session=\(cookie)", .contentType: "application/x-www-form-urlencoded", .accept: "text/html"],
            body: ByteBuffer(string: body)
        ).asReply
    }

    /// The CSRF token of this session, as its pages show it.
    func csrfToken() async throws -> String {
        let page = try await get("/console/users").text
        let marker = "name=\"csrf\" value=\""
        let start = try #require(page.range(of: marker)).upperBound
        return String(page[start...].prefix { $0 != "\"" })
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
