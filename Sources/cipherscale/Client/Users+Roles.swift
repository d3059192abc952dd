import ArgumentParser
import CipherscaleClient

extension Users {
    /// `cipherscale users roles ID --add R --remove R`.
    struct Roles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add and remove a user's direct roles.",
            discussion: "A role is named by its id, its type (ADMIN, BILLING, …) or its name; see `cipherscale roles list`."
        )

        @OptionGroup var client: ClientOptions
        @Argument(help: "The user's id.") var id: String
        @Option(name: .customLong("add"), help: "A role to assign directly (repeatable).") var added: [String] = []
        @Option(name: .customLong("remove"), help: "A role whose direct assignment ends (repeatable).") var removed: [String] = []
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if added.isEmpty && removed.isEmpty { throw ValidationError("Give at least one --add or --remove.") }
        }

        func run() async throws {
            let user = try await client.withClient { directory in
                let (add, remove): ([String], [String])
                do {
                    (add, remove) = (try await directory.roleIDs(added), try await directory.roleIDs(removed))
                } catch let error as CipherscaleClient.UnknownRole {
                    throw ValidationError(error.description)
                }
                return try await directory.send { api in
                    try await api.updateUserRoles(
                        path: .init(id: id), body: .json(.init(addedRoles: add.isEmpty ? nil : add, removedRoles: remove.isEmpty ? nil : remove))
                    ).ok.body.json
                }
            }
            try output.print(user, columns: .users)
        }
    }
}
