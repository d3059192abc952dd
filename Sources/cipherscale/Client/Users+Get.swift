import ArgumentParser
import CipherscaleClient

extension Users {
    /// `cipherscale users get ID`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one user.")

        @OptionGroup var client: ClientOptions
        @Argument(help: "The user's id.") var id: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let user = try await client.withClient { directory in
                try await directory.send { try await $0.getUser(path: .init(id: id)).ok.body.json }
            }
            try output.print(user, columns: .users)
        }
    }
}
