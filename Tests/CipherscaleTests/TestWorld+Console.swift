import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import Cipherscale

extension TestResponse {
    var asReply: Reply { Reply(response: self) }
}

extension TestWorld {
    /// Signs `email` in through an operator link (no mail) and returns the browser holding the session.
    func console(_ email: String) async throws -> ConsoleBrowser {
        let link = try #require(try await services.console.operatorLinks(email: email).first, "\(email) may not sign in")
        let reply = try await request(.get, "/console/signin?token=\(link.token)", auth: .none)
        #expect(reply.status == .seeOther)
        let setCookie = try #require(reply.headers[.setCookie])
        let value = setCookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1)[1]
        return ConsoleBrowser(world: self, cookie: String(value))
    }

    /// An active user of tenant A (invited, invitation accepted through its mail) holding `roles` directly.
    func activeUser(_ email: String, roles: [String] = []) async throws -> String {
        let id = try await createUsers([email])[0]
        let transport = RecordingTransport()
        _ = try await worker(transport).processDue()
        let mail = try #require(transport.sent.first { $0.to == email })
        let token = try #require(MailText.token(mail))
        let accepted = try await request(.post, "/invitations/\(token)/accept", auth: .none, json: ["firstName": "Ada", "lastName": "Byron"])
        #expect(accepted.status == .ok, "\(accepted.text)")
        if !roles.isEmpty {
            var ids: [String] = []
            for role in roles { ids.append(try await roleId(role)) }
            let reply = try await request(.patch, "/tenants/users/\(id)/roles", json: ["addedRoles": ids, "removedRoles": []])
            #expect(reply.status == .ok, "\(reply.text)")
        }
        return id
    }

    /// The console sign-in mail worker over this world's database.
    func signInWorker(_ transport: any MailTransport) -> JobWorker {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let settings = DeliverySettings()
        let mailer = ConsoleSignInMailer(
            console: SQLConsoleRepository(store: store), tokens: services.users.tokens,
            message: InvitationMessage(from: "Cipherscale Directory <invites@directory.example>", publicBaseURL: "https://directory.example/"),
            transport: transport, retry: settings.retryPolicy, logger: logger
        )
        return JobWorker(queue: SQLJobQueue(store: store), handler: mailer, settings: settings, clock: clock, logger: logger)
    }
}
