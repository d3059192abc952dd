import ArgumentParser
import CipherscaleClient

extension Roles {
    /// `cipherscale roles list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenant's roles (system roles, not paged).")

        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let roles = try await client.withClient { try await $0.roles() }
            try output.print(roles, columns: .roles)
        }
    }
}
