import ArgumentParser
import CipherscaleClient

extension Groups {
    /// `cipherscale groups remove-user GROUP USER`.
    struct RemoveUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-user", abstract: "End a user's membership of a group (a user's last group cannot be left)."
        )

        @OptionGroup var client: ClientOptions
        @Argument(help: "The group's id.") var group: String
        @Argument(help: "The user's id.") var user: String

        func run() async throws {
            try await client.withClient { directory in
                _ = try await directory.send { try await $0.removeUserFromGroup(path: .init(id: user, groupId: group)).noContent }
            }
            print("removed user \(user) from group \(group)")
        }
    }
}
