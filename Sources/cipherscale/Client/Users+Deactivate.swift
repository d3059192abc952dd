import ArgumentParser
import CipherscaleClient

extension Users {
    /// `cipherscale users deactivate ID`.
    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deactivate a user (status inactive; data kept).")

        @OptionGroup var client: ClientOptions
        @Argument(help: "The user's id.") var id: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let user = try await client.withClient { directory in
                try await directory.send { try await $0.deactivateUser(path: .init(id: id)).ok.body.json }
            }
            try output.print(user, columns: .users)
        }
    }
}
