import ArgumentParser
import CipherscaleClient

extension Users {
    /// `cipherscale users reactivate ID`.
    struct Reactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reactivate a deactivated user (active again, or pending if never accepted).")

        @OptionGroup var client: ClientOptions
        @Argument(help: "The user's id.") var id: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let user = try await client.withClient { directory in
                try await directory.send { try await $0.reactivateUser(path: .init(id: id)).created.body.json }
            }
            try output.print(user, columns: .users)
        }
    }
}
