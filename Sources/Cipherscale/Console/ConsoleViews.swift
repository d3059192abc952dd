import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The console's templates (swift-mustache, every `{{value}}` HTML-escaped) and static assets,
/// loaded once from the bundle, and the headers every console answer carries.
struct ConsoleViews: Sendable {
    let library: MustacheLibrary
    let stylesheet: ByteBuffer
    let script: ByteBuffer

    /// Loads every `Templates/*.mustache` and the assets of the module's bundle.
    static func load() throws -> ConsoleViews {
        guard let templates = Bundle.module.url(forResource: "Templates", withExtension: nil),
            let assets = Bundle.module.url(forResource: "Assets", withExtension: nil)
        else { throw ConsoleViewsMissing() }
        var library = MustacheLibrary()
        for file in try FileManager.default.contentsOfDirectory(atPath: templates.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: templates.appendingPathComponent(file), encoding: .utf8)
            try library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        return ConsoleViews(
            library: library,
            stylesheet: ByteBuffer(bytes: try Data(contentsOf: assets.appendingPathComponent("console.css"))),
            script: ByteBuffer(bytes: try Data(contentsOf: assets.appendingPathComponent("console.js")))
        )
    }

    /// The console's policy: scripts, styles and forms from this origin only, never framed.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'"

    /// Adds the headers every console answer carries (pages, redirects and assets alike).
    static func secure(_ response: inout Response) {
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
    }

    /// A page rendered from `template` with `data`.
    func page(_ template: String, _ data: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var data = data
        // Every link of every page starts with the prefix the server is served under (BASE_PATH).
        data["base"] = RequestScope.current.basePath
        let html = library.render(data, withTemplate: template) ?? "<!DOCTYPE html><title>Error</title><p>The page could not be rendered.</p>"
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
        Self.secure(&response)
        return response
    }

    /// A `303 See Other` to `location` (after a form post, or to the sign-in page).
    static func redirect(_ location: String) -> Response {
        var response = Response(status: .seeOther, headers: [.location: RequestScope.current.basePath + location])
        secure(&response)
        return response
    }

    /// A bare page for a failure outside any console handler (an unknown page, an internal error).
    static func errorPage(status: HTTPResponse.Status) -> Response {
        let text = status == .notFound ? "There is no such page." : "The console could not answer (\(status.code) \(status.reasonPhrase))."
        let base = HTML.escape(RequestScope.current.basePath)
        let html = """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>\(status.reasonPhrase)</title>
            <link rel="stylesheet" href="\(base)/console/assets/console.css"></head>
            <body><main><h1>\(status.reasonPhrase)</h1><p>\(text)</p><p><a href="\(base)/console/users">Back to the console</a></p></main></body></html>
            """
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
        secure(&response)
        return response
    }

    /// A static asset, cacheable for an hour.
    static func asset(_ bytes: ByteBuffer, type: String) -> Response {
        var response = Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"], body: ResponseBody(byteBuffer: bytes))
        secure(&response)
        return response
    }
}
