import ArgumentParser
import Cipherscale
import Foundation

struct ConsoleLink: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console-link",
        abstract: "Print a console sign-in link for a user, without mail (valid 15 minutes, once).",
        discussion: """
            The user must be active and hold OWNER, ADMIN (full access) or AUDITOR (read-only), directly or \
            through a group. One link is printed per tenant where the email may sign in. Links start with \
            PUBLIC_BASE_URL (default http://HOST:PORT).
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The user's email.") var email: String

    func run() async throws {
        let base = try database.configuration().linkBaseURL
        let links = try await withDatabase(database) { try await $0.services.console.operatorLinks(email: email) }
        guard !links.isEmpty else {
            throw ConsoleLinkRefused(
                description: "No active owner, admin or auditor has the email \(email); nobody with it may sign in to the console.")
        }
        for link in links {
            let url = InvitationMessage(from: "", publicBaseURL: base).signInLink(token: link.token)
            print(links.count == 1 ? url : "tenant \(link.tenant)  \(url)")
        }
    }
}
