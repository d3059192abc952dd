import HTTPTypes
import Hummingbird

/// The server-rendered pages of the invitation flow. Every value from the database is escaped.
enum InvitationPages {
    private static func page(_ title: String, _ body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title))</title>
        <style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
        label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;box-sizing:border-box}
        button{margin-top:1rem;padding:.5rem 1.2rem}</style></head>
        <body><h1>\(HTML.escape(title))</h1>
        \(body)
        </body></html>
        """
    }

    /// The form: first and last name, posted to the same path.
    static func form(_ invitation: InvitationView) -> String {
        page(
            "Join \(invitation.tenantName)",
            """
            <p>You were invited as <strong>\(HTML.escape(invitation.email))</strong>. Tell us your name to activate your account.</p>
            <form method="post">
            <label for="firstName">First name</label><input id="firstName" name="firstName" required maxlength="100" autocomplete="given-name">
            <label for="lastName">Last name</label><input id="lastName" name="lastName" required maxlength="100" autocomplete="family-name">
            <button type="submit">Accept the invitation</button>
            </form>
            <p><small>This link expires at \(HTML.escape(Timestamps.format(invitation.expiresAt))).</small></p>
            """
        )
    }

    /// True for what a person's browser sends on the acceptance page: opening it (`GET`) or posting
    /// its form. Their errors are answered with a page instead of problem+json.
    static func isBrowserRequest(_ request: Request) -> Bool {
        let parts = request.uri.path.split(separator: "/")
        guard parts.count == 3, parts[0] == "invitations", parts[2] == "accept" else { return false }
        if request.method == .get { return true }
        return request.method == .post
            && (request.headers[.contentType] ?? "").lowercased().hasPrefix("application/x-www-form-urlencoded")
    }

    /// Why the link cannot be used.
    static func problem(_ error: DirectoryError) -> String {
        problem(status: .notFound, detail: error.detail, errors: [])
    }

    /// An error page for the acceptance flow: what went wrong and what the person can do.
    static func problem(status: HTTPResponse.Status, detail: String, errors: [FieldError]) -> String {
        let fields = errors.map { "<li>\(HTML.escape($0.location.description)): \(HTML.escape($0.detail))</li>" }.joined()
        let list = fields.isEmpty ? "" : "<ul>\(fields)</ul>"
        switch status {
        case .badRequest, .contentTooLarge, .unsupportedMediaType:
            return page(
                "Please check the form", "<p>\(HTML.escape(detail))</p>\(list)<p><a href=\"\">Back to the form</a></p>")
        case .tooManyRequests:
            return page("Too many attempts", "<p>\(HTML.escape(detail))</p>")
        case .notFound, .conflict, .gone:
            return page("This invitation cannot be used", "<p>\(HTML.escape(detail))</p><p>Ask your administrator to invite you again.</p>")
        default:
            return page("Something went wrong", "<p>\(HTML.escape(detail))</p><p>Please try again in a moment.</p>")
        }
    }

    /// The confirmation after a form post.
    static func accepted(_ user: User) -> String {
        page(
            "Welcome, \(user.firstName ?? user.email)",
            "<p>Your account <strong>\(HTML.escape(user.email))</strong> is active. You can now sign in with the Cipherscale app.</p>"
        )
    }
}
