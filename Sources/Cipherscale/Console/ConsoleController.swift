import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The admin console at `/console`: server-rendered pages over the same services as the REST API.
///
/// Entry points only: each handler reads the request, calls services with the signed-in user as
/// the actor, and renders a template. Pages need a session (else they redirect to the sign-in
/// page); every post needs the session's CSRF token (else 403) and full access (else 403).
struct ConsoleController: Sendable {
    let services: DirectoryServices
    let views: ConsoleViews
    /// Sign-in requests per client address; nil when unlimited.
    let signInLimiter: RateLimiter?
    /// Whether the session cookie is `Secure` (the public base URL is https).
    let secureCookie: Bool

    static let cookieName = "cs_session"
    /// Rows per page of the console's lists.
    static let pageSize = 25

    func register(on router: Router<DirectoryRequestContext>) {
        router.get("/console") { request, _ in
            try await session(of: request) == nil ? ConsoleViews.redirect("/console/login") : ConsoleViews.redirect("/console/users")
        }
        router.get("/console/assets/console.css") { _, _ in ConsoleViews.asset(views.stylesheet, type: "text/css; charset=utf-8") }
        router.get("/console/assets/console.js") { _, _ in ConsoleViews.asset(views.script, type: "text/javascript; charset=utf-8") }
        router.get("/console/login") { request, _ in loginPage(request) }
        router.post("/console/login") { request, context in try await requestLink(request, context: context) }
        router.get("/console/signin") { request, _ in try await signIn(request) }
        router.post("/console/logout") { request, _ in try await signOut(request) }
        registerUsers(on: router)
        registerGroups(on: router)
        registerAdministration(on: router)
    }

    // MARK: Signing in

    private func loginPage(_ request: Request) -> Response {
        views.page("login", ["title": "Sign in"])
    }

    private func requestLink(_ request: Request, context: DirectoryRequestContext) async throws -> Response {
        if let limiter = signInLimiter, let retryAfter = limiter.take(context.remoteAddress?.ipAddress ?? "unknown").retryAfter {
            DirectoryMetrics.rateLimited("console_signin")
            var response = views.page(
                "login",
                ["title": "Sign in", "error": "Too many sign-in requests from this address. Try again in \(retryAfter) seconds."],
                status: .tooManyRequests)
            response.headers[.retryAfter] = String(retryAfter)
            return response
        }
        let form = ConsoleForm(try await request.body.collect(upTo: BodyLimitMiddleware<DirectoryRequestContext>.maxBodyBytes))
        guard let email = form["email"] else {
            return views.page("login", ["title": "Sign in", "emailError": "Enter your email address."], status: .badRequest)
        }
        // The same answer whoever asks: a link is mailed only to an active owner, admin or auditor.
        try await services.console.requestSignIn(email: email, traceParent: RequestScope.current.traceParent)
        return views.page("sent", ["title": "Check your email", "email": email])
    }

    private func signIn(_ request: Request) async throws -> Response {
        let token = ConsoleForm(query: request.uri.query)["token"] ?? ""
        let sessionToken: String
        do {
            sessionToken = try await services.console.signIn(token: token)
        } catch let error as DirectoryError {
            return views.page("unusable-link", ["title": "This sign-in link cannot be used", "detail": error.detail], status: .gone)
        }
        var response = ConsoleViews.redirect("/console/users")
        response.setCookie(
            Cookie(
                name: Self.cookieName, value: sessionToken, path: RequestScope.current.basePath + "/console", secure: secureCookie, httpOnly: true,
                sameSite: .lax))
        return response
    }

    private func signOut(_ request: Request) async throws -> Response {
        let form = ConsoleForm(try await request.body.collect(upTo: BodyLimitMiddleware<DirectoryRequestContext>.maxBodyBytes))
        guard let token = request.cookies[Self.cookieName]?.value, let session = try await services.console.session(token: token) else {
            return ConsoleViews.redirect("/console/login")
        }
        guard Secrets.constantTimeEquals(form.raw("csrf"), session.csrfToken) else {
            return forbidden(session, "The form is missing its security token.")
        }
        try await services.console.signOut(token: token)
        var response = ConsoleViews.redirect("/console/login?signedOut=1")
        response.setCookie(
            Cookie(
                name: Self.cookieName, value: "", maxAge: 0, path: RequestScope.current.basePath + "/console", secure: secureCookie, httpOnly: true,
                sameSite: .lax))
        return response
    }

    // MARK: Sessions, pages and actions

    private func session(of request: Request) async throws -> ConsoleSession? {
        guard let token = request.cookies[Self.cookieName]?.value else { return nil }
        return try await services.console.session(token: token)
    }

    /// A page for a signed-in user: `body` renders it; without a session, the sign-in page.
    func page(_ request: Request, _ body: (ConsoleSession) async throws -> Response) async throws -> Response {
        guard let session = try await session(of: request) else { return ConsoleViews.redirect("/console/login") }
        do {
            return try await body(session)
        } catch let error as DirectoryError {
            return problem(session, error)
        }
    }

    /// A form post of a signed-in user with full access and the session's CSRF token; 403 otherwise.
    func action(_ request: Request, _ body: (ConsoleSession, ConsoleForm) async throws -> Response) async throws -> Response {
        let form = ConsoleForm(try await request.body.collect(upTo: BodyLimitMiddleware<DirectoryRequestContext>.maxBodyBytes))
        guard let session = try await session(of: request) else {
            return views.page(
                "problem", ["title": "Signed out", "detail": "Your session has ended. Sign in again."], status: .forbidden)
        }
        guard Secrets.constantTimeEquals(form.raw("csrf"), session.csrfToken) else {
            return forbidden(session, "The form is missing its security token, or it belongs to another session. Reload the page and try again.")
        }
        guard session.canWrite else { return forbidden(session, "Your access is read-only: an auditor can look but not change anything.") }
        do {
            return try await body(session, form)
        } catch let error as DirectoryError {
            return problem(session, error)
        }
    }

    private func forbidden(_ session: ConsoleSession, _ detail: String) -> Response {
        views.page("problem", layout(session, title: "Not allowed", nav: "").merging(["detail": detail]) { $1 }, status: .forbidden)
    }

    /// A refused operation that has no form to show its errors next to.
    func problem(_ session: ConsoleSession, _ error: DirectoryError) -> Response {
        let status = ConsoleController.status(of: error)
        var data = layout(session, title: status == .notFound ? "Not found" : "That did not work", nav: "")
        data["detail"] = error.detail
        data["errors"] = error.errors.map { ["text": "\($0.location): \($0.detail)"] }
        return views.page("problem", data, status: status)
    }

    /// The HTTP status the REST API gives the same failure.
    static func status(of error: DirectoryError) -> HTTPResponse.Status {
        switch error.kind {
        case .invalidInput, .unknownReference: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .preconditionFailed: .preconditionFailed
        case .gone: .gone
        case .unprocessable: .unprocessableContent
        case .tooManyRequests: .tooManyRequests
        case .payloadTooLarge: .contentTooLarge
        default: .badRequest
        }
    }

    /// What every signed-in page's layout shows.
    func layout(_ session: ConsoleSession, title: String, nav: String, notice: String? = nil) -> [String: Any] {
        var data: [String: Any] = [
            "title": title, "whoami": session.user.email, "csrf": session.csrfToken, "canWrite": session.canWrite,
            "readOnly": !session.canWrite, "nav\(nav.capitalized)": true,
        ]
        if let notice { data["notice"] = notice }
        return data
    }

    /// The operation context of a session's request.
    func context(_ session: ConsoleSession, _ request: Request) -> OperationContext {
        session.context(requestId: RequestScope.current.requestId, now: services.clock.now(), traceParent: RequestScope.current.traceParent)
    }
}
