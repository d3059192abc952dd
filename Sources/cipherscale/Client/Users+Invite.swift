import ArgumentParser
import CipherscaleClient

extension Users {
    /// `cipherscale users invite ID`.
    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a pending user a new invitation (earlier links stop working).")

        @OptionGroup var client: ClientOptions
        @Argument(help: "The user's id.") var id: String

        func run() async throws {
            try await client.withClient { directory in
                _ = try await directory.send { try await $0.inviteUser(path: .init(id: id)).accepted }
            }
            print("invited user \(id)")
        }
    }
}
