import Foundation
import NIOCore
import NIOSSL

/// Where and how ``SMTPClient`` reaches its mail server.
public struct SMTPConfiguration: Sendable {
    /// How the connection is protected.
    public enum Security: Sendable, Equatable {
        /// `smtp://`: start plain, upgrade with `STARTTLS` when the server offers it, else stay plain.
        case startTLSWhenOffered
        /// `smtps://`: TLS from the first byte (usually port 465).
        case implicitTLS
        /// Never TLS, even when the server offers `STARTTLS`.
        case plain
    }

    /// Why an `SMTP_URL` could not be read. The description never repeats the URL, which may hold a password.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong with the URL.
        public var reason: String
        /// The reason, prefixed so that it reads well in a log line.
        public var description: String { "invalid SMTP URL: \(reason)" }
    }

    /// The server's host name or IP address (IPv6 without brackets).
    public var host: String
    /// The server's TCP port.
    public var port: Int
    /// The user name for `AUTH`; no authentication when `nil`.
    public var username: String?
    /// The password for `AUTH`; never logged or printed.
    public var password: String?
    /// Whether and how to use TLS.
    public var security: Security
    /// The name this client gives in `EHLO`/`HELO`.
    public var heloName: String
    /// How long to wait for each connection attempt and each reply.
    public var timeout: Duration
    /// TLS settings for `STARTTLS` and implicit TLS; the server's certificate is fully verified by default.
    public var tls: TLSConfiguration

    /// A configuration with every setting spelled out; the defaults match a plain `smtp://host` URL.
    public init(
        host: String,
        port: Int = 25,
        username: String? = nil,
        password: String? = nil,
        security: Security = .startTLSWhenOffered,
        heloName: String = "localhost",
        timeout: Duration = .seconds(30),
        tls: TLSConfiguration = .makeClientConfiguration()
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.security = security
        self.heloName = heloName
        self.timeout = timeout
        self.tls = tls
    }

    /// Reads `smtp://[user[:password]@]host[:port]` (port 25 by default, `STARTTLS` when offered) or
    /// `smtps://…` (port 465 by default, implicit TLS). User and password are percent-decoded, so a
    /// password holding `@`, `:` or `/` is written `%40`, `%3A`, `%2F`. IPv6 hosts go in brackets.
    /// A trailing `/` is allowed; any other path, a query, another scheme or a bad port throws ``ParseError``.
    public static func parse(_ url: String) throws -> SMTPConfiguration {
        guard let schemeEnd = url.range(of: "://") else {
            throw ParseError(reason: "expected smtp://host[:port] or smtps://host[:port]")
        }
        let security: Security
        let defaultPort: Int
        switch url[..<schemeEnd.lowerBound].lowercased() {
        case "smtp": (security, defaultPort) = (.startTLSWhenOffered, 25)
        case "smtps": (security, defaultPort) = (.implicitTLS, 465)
        default: throw ParseError(reason: "the scheme must be smtp or smtps")
        }

        var authority = url[schemeEnd.upperBound...]
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        guard !authority.contains(where: { "/?#".contains($0) }) else {
            throw ParseError(reason: "a path, query or fragment is not allowed")
        }

        var username: String?
        var password: String?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            let user: Substring
            if let colon = userInfo.firstIndex(of: ":") {
                user = userInfo[..<colon]
                password = try decode(userInfo[userInfo.index(after: colon)...], what: "password")
            } else {
                user = userInfo
            }
            let decodedUser = try decode(user, what: "user name")
            username = decodedUser.isEmpty ? nil : decodedUser
        }

        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw ParseError(reason: "unterminated IPv6 address") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw ParseError(reason: "unexpected text after the IPv6 address") }
                portText = rest.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "[" || $0 == "]" || $0 == "@" }) else {
            throw ParseError(reason: "missing or malformed host")
        }
        var port = defaultPort
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number), portText.allSatisfy(\.isASCII) else {
                throw ParseError(reason: "the port must be a number from 1 to 65535")
            }
            port = number
        }
        return SMTPConfiguration(host: String(host), port: port, username: username, password: password, security: security)
    }

    /// Percent-decodes one part of the user information.
    private static func decode(_ text: Substring, what: String) throws -> String {
        guard let decoded = String(text).removingPercentEncoding else {
            throw ParseError(reason: "the \(what) has a malformed percent escape")
        }
        return decoded
    }

    /// The name to send in TLS SNI and check the certificate against: the host, unless it is an IP address.
    var tlsServerHostname: String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }

    /// Whether the relay is on this machine (where credentials may go without TLS).
    var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

extension SMTPConfiguration: CustomStringConvertible {
    /// The configuration as a URL, with the password masked, fit for logs.
    public var description: String {
        let scheme = security == .implicitTLS ? "smtps" : "smtp"
        var userInfo = ""
        if let username {
            userInfo = username + (password == nil ? "" : ":***") + "@"
        }
        let hostText = host.contains(":") ? "[\(host)]" : host
        let suffix = security == .plain ? " (plain, no STARTTLS)" : ""
        return "\(scheme)://\(userInfo)\(hostText):\(port)\(suffix)"
    }
}
