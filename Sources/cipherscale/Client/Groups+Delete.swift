import ArgumentParser
import CipherscaleClient

extension Groups {
    /// `cipherscale groups delete ID`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a group; members left in no group move to the Default group (which cannot be deleted)."
        )

        @OptionGroup var client: ClientOptions
        @Argument(help: "The group's id.") var id: String

        func run() async throws {
            try await client.withClient { directory in
                _ = try await directory.send { try await $0.deleteGroup(path: .init(id: id)).noContent }
            }
            print("deleted group \(id)")
        }
    }
}
