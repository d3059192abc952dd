import Foundation

/// Renders an invitation email: a MIME `multipart/alternative` with plain-text and HTML parts in
/// UTF-8 (base64), RFC 2047 encoded headers where needed, and a stable `Message-ID`.
public struct InvitationMessage: Sendable {
    /// The `From` header value, e.g. `Cipherscale <no-reply@example.com>`.
    public var from: String
    /// The public base URL links start with, e.g. `https://directory.example.com`.
    public var publicBaseURL: String

    public init(from: String, publicBaseURL: String) {
        self.from = from
        self.publicBaseURL = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
    }

    /// The bare address of `from` (`no-reply@example.com`), for the SMTP envelope.
    public var fromAddress: String {
        if let open = from.lastIndex(of: "<"), let close = from.lastIndex(of: ">"), open < close {
            return String(from[from.index(after: open)..<close])
        }
        return from.trimmingCharacters(in: .whitespaces)
    }

    /// The console sign-in link for a token.
    public func signInLink(token: String) -> String {
        "\(publicBaseURL)/console/signin?token=\(token)"
    }

    /// The acceptance link for a token.
    public func link(token: String) -> String {
        "\(publicBaseURL)/invitations/\(token)/accept"
    }

    /// The whole message for one outbox row.
    public func render(outboxId: String, recipient: String, tenantName: String, token: String, expiresAt: Millis, now: Date = Date()) -> OutgoingMail
    {
        let url = link(token: token)
        let expiry = Timestamps.format(expiresAt)
        let subject = "You are invited to join \(tenantName) on Cipherscale"
        let text = """
            Hello,

            You have been invited to join \(tenantName) on Cipherscale.

            To accept the invitation and set up your account, open this link:

            \(url)

            The link works once and expires at \(expiry).
            If you did not expect this invitation, you can ignore this email.
            """
        let html = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>\(HTML.escape(subject))</title></head>
            <body style="font-family: sans-serif">
            <p>Hello,</p>
            <p>You have been invited to join <strong>\(HTML.escape(tenantName))</strong> on Cipherscale.</p>
            <p><a href="\(HTML.escape(url))">Accept the invitation</a></p>
            <p>The link works once and expires at \(HTML.escape(expiry)).<br>
            If you did not expect this invitation, you can ignore this email.</p>
            </body></html>
            """
        return compose(outboxId: outboxId, recipient: recipient, subject: subject, text: text, html: html, link: url, now: now)
    }

    /// A `multipart/alternative` message with both bodies, for one outbox row (any kind of mail).
    func compose(outboxId: String, recipient: String, subject: String, text: String, html: String, link url: String, now: Date) -> OutgoingMail {
        let domain = fromAddress.split(separator: "@").last.map(String.init) ?? "cipherscale.invalid"
        let messageId = "\(outboxId)@\(domain)"
        let boundary = "=_cipherscale_\(outboxId)"
        var lines = [
            "From: \(Self.encodeAddressHeader(from))",
            "To: <\(recipient)>",
            "Subject: \(Self.encodeHeader(subject))",
            "Date: \(Self.rfc5322Date(now))",
            "Message-ID: <\(messageId)>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "This is a multi-part message in MIME format.",
            "--\(boundary)",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
            "",
        ]
        lines += Self.base64Lines(text.replacingOccurrences(of: "\n", with: "\r\n"))
        lines += ["--\(boundary)", "Content-Type: text/html; charset=UTF-8", "Content-Transfer-Encoding: base64", ""]
        lines += Self.base64Lines(html.replacingOccurrences(of: "\n", with: "\r\n"))
        lines += ["--\(boundary)--", ""]
        let readable = "From: \(from)\nTo: \(recipient)\nSubject: \(subject)\n\n\(text)\n"
        return OutgoingMail(
            messageId: messageId, from: fromAddress, to: recipient, data: lines.joined(separator: "\r\n"), readable: readable, link: url
        )
    }

    /// Body text as base64 lines of 76 characters.
    static func base64Lines(_ text: String) -> [String] {
        let encoded = Data(text.utf8).base64EncodedString()
        return stride(from: 0, to: encoded.count, by: 76).map { start in
            let from = encoded.index(encoded.startIndex, offsetBy: start)
            let to = encoded.index(from, offsetBy: min(76, encoded.count - start))
            return String(encoded[from..<to])
        }
    }

    /// A header value as is when it is printable ASCII, else as RFC 2047 `=?UTF-8?B?…?=` words
    /// of at most 75 characters each (never splitting a character), folded onto continuation lines.
    static func encodeHeader(_ value: String) -> String {
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return value }
        var words: [String] = []
        var chunk = Data()
        for character in value {
            let bytes = Data(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=")
                chunk = Data()
            }
            chunk.append(bytes)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// `Display Name <address>` with the display name encoded when it is not ASCII.
    static func encodeAddressHeader(_ value: String) -> String {
        guard let open = value.lastIndex(of: "<") else { return value }
        let name = value[..<open].trimmingCharacters(in: .whitespaces)
        let address = value[open...]
        if name.isEmpty { return String(address) }
        let encoded = name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) ? "\"\(name.replacingOccurrences(of: "\"", with: ""))\"" : encodeHeader(name)
        return "\(encoded) \(address)"
    }

    /// `Sun, 29 Nov 2026 04:11:11 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}

extension InvitationMessage {
    /// A console sign-in email: one link, valid once until `expiresAt`.
    public func renderSignIn(outboxId: String, recipient: String, tenantName: String, token: String, expiresAt: Millis, now: Date = Date())
        -> OutgoingMail
    {
        let url = signInLink(token: token)
        let expiry = Timestamps.format(expiresAt)
        let subject = "Sign in to the \(tenantName) console"
        let text = """
            Hello,

            Someone asked to sign in to the Cipherscale Directory console of \(tenantName) as \(recipient).

            To sign in, open this link:

            \(url)

            The link works once and expires at \(expiry) (15 minutes).
            If you did not ask for it, ignore this email: nobody can sign in without the link.
            """
        let html = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>\(HTML.escape(subject))</title></head>
            <body style="font-family: sans-serif">
            <p>Hello,</p>
            <p>Someone asked to sign in to the Cipherscale Directory console of <strong>\(HTML.escape(tenantName))</strong> as \(HTML.escape(recipient)).</p>
            <p><a href="\(HTML.escape(url))">Sign in to the console</a></p>
            <p>The link works once and expires at \(HTML.escape(expiry)) (15 minutes).<br>
            If you did not ask for it, ignore this email: nobody can sign in without the link.</p>
            </body></html>
            """
        return compose(outboxId: outboxId, recipient: recipient, subject: subject, text: text, html: html, link: url, now: now)
    }
}
