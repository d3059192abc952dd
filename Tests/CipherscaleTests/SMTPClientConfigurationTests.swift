import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import Cipherscale

@Suite("SMTP client: URL parsing")
struct SMTPClientConfigurationTests {
    @Test("smtp:// and smtps:// URLs give the host, default ports and security")
    func parseSchemes() throws {
        let plain = try SMTPConfiguration.parse("smtp://mail.example.com")
        #expect(plain.host == "mail.example.com")
        #expect(plain.port == 25)
        #expect(plain.security == .startTLSWhenOffered)
        #expect(plain.username == nil && plain.password == nil)
        #expect(plain.heloName == "localhost")
        #expect(plain.timeout == .seconds(30))

        let secure = try SMTPConfiguration.parse("SMTPS://mail.example.com/")
        #expect(secure.port == 465)
        #expect(secure.security == .implicitTLS)

        let explicitPort = try SMTPConfiguration.parse("smtp://127.0.0.1:2525")
        #expect(explicitPort.host == "127.0.0.1")
        #expect(explicitPort.port == 2525)
        #expect(explicitPort.tlsServerHostname == nil)
        #expect(plain.tlsServerHostname == "mail.example.com")

        let ipv6 = try SMTPConfiguration.parse("smtps://[::1]:1465")
        #expect(ipv6.host == "::1")
        #expect(ipv6.port == 1465)
        #expect(ipv6.tlsServerHostname == nil)
    }

    @Test("user and password are percent-decoded")
    func parseCredentials() throws {
        let configuration = try SMTPConfiguration.parse("smtp://user%40example.com:s3cr%C3%A9t%3A%40%2F@mail.example.com:587")
        #expect(configuration.username == "user@example.com")
        #expect(configuration.password == "s3crét:@/")
        #expect(configuration.host == "mail.example.com")
        #expect(configuration.port == 587)

        let userOnly = try SMTPConfiguration.parse("smtp://apikey@mail.example.com")
        #expect(userOnly.username == "apikey")
        #expect(userOnly.password == nil)

        let emptyPassword = try SMTPConfiguration.parse("smtp://user:@mail.example.com")
        #expect(emptyPassword.password == "")
    }

    @Test(
        "bad SMTP URLs are refused without echoing the password",
        arguments: [
            "http://mail.example.com", "mail.example.com", "smtp://", "smtp://user:hunter2@", "smtp://host:0", "smtp://host:70000",
            "smtp://host:port", "smtp://host/path", "smtp://host?x=1", "smtp://user:hunter2%zz@host", "smtp://[::1", "smtp://h ost",
        ])
    func parseRejects(url: String) {
        #expect(throws: SMTPConfiguration.ParseError.self) { try SMTPConfiguration.parse(url) }
        do {
            _ = try SMTPConfiguration.parse(url)
        } catch {
            #expect(!String(describing: error).contains("hunter2"))
        }
    }

    @Test("a configuration prints as a URL with the password masked")
    func configurationDescription() throws {
        let configuration = try SMTPConfiguration.parse("smtp://user:hunter2@mail.example.com:587")
        #expect(String(describing: configuration) == "smtp://user:***@mail.example.com:587")
        #expect(String(describing: try SMTPConfiguration.parse("smtps://[::1]")) == "smtps://[::1]:465")
    }
}
