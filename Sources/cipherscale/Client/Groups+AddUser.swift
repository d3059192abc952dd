import ArgumentParser
import CipherscaleClient

extension Groups {
    /// `cipherscale groups add-user GROUP USER`.
    struct AddUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-user", abstract: "Make a user a member of a group; prints the user.")

        @OptionGroup var client: ClientOptions
        @Argument(help: "The group's id.") var group: String
        @Argument(help: "The user's id.") var user: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let member = try await client.withClient { directory in
                try await directory.send { try await $0.addUserToGroup(path: .init(id: user), body: .json(.init(groupId: group))).created.body.json }
            }
            try output.print(member, columns: .users)
        }
    }
}
