import ArgumentParser
import CipherscaleClient

extension Users {
    /// `cipherscale users delete ID`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user for good; their devices are deactivated.")

        @OptionGroup var client: ClientOptions
        @Argument(help: "The user's id.") var id: String

        func run() async throws {
            try await client.withClient { directory in
                _ = try await directory.send { try await $0.deleteUser(path: .init(id: id)).noContent }
            }
            print("deleted user \(id)")
        }
    }
}
