import Foundation
import Hummingbird
import NIOCore

/// `GET /`: a signpost for whoever opens the server's address, in HTML for a browser and JSON for
/// anything else, pointing at the contract, the health check, the console and SCIM.
enum RootPage {
    static let links: [(path: String, what: String)] = [
        ("/openapi.yaml", "the API contract (OpenAPI 3.1): every operation, field and status code"),
        ("/health", "liveness: answers 200 while the server and its database answer"),
        ("/console", "the admin console: sign in with a link mailed to an owner, admin or auditor"),
        ("/scim/v2/ServiceProviderConfig", "SCIM 2.0 for identity providers (Okta, Entra ID): send an API key as a bearer token"),
    ]

    static func response(for request: Request) -> Response {
        // Under BASE_PATH every link carries the prefix.
        let links = links.map { (path: RequestScope.current.basePath + $0.path, what: $0.what) }
        let wantsHTML = (request.headers[.accept] ?? "").lowercased().contains("text/html")
        if wantsHTML {
            let items = links.map { "<li><a href=\"\($0.path)\"><code>\($0.path)</code></a>: \(HTML.escape($0.what))</li>" }
            let html = """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Cipherscale Directory</title>
                <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style></head>
                <body><h1>Cipherscale Directory</h1>
                <p>The tenant user-management API. Send your API key in the <code>apikey</code> header to
                <code>/tenants/...</code>.</p>
                <ul>
                \(items.joined(separator: "\n"))
                </ul>
                </body></html>
                """
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        let object: [String: Any] = [
            "name": "Cipherscale Directory",
            "description": "The tenant user-management API. Send your API key in the apikey header to /tenants/...",
            "links": links.map { ["href": $0.path, "description": $0.what] },
        ]
        let json = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }
}
