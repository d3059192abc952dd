import ArgumentParser
import CipherscaleClient

extension Groups {
    /// `cipherscale groups create --name N`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a group, granting its roles to every member.")

        @OptionGroup var client: ClientOptions
        @Option(help: "The group's name, unique in the tenant.") var name: String
        @Option(help: "What the group is for.") var description: String?
        @Option(name: .customLong("role"), help: "A role the group grants: id, type or name (repeatable).") var roles: [String] = []
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let group = try await client.withClient { directory in
                let roleIDs: [String]
                do {
                    roleIDs = try await directory.roleIDs(roles)
                } catch let error as CipherscaleClient.UnknownRole {
                    throw ValidationError(error.description)
                }
                return try await directory.send { api in
                    try await api.createGroup(body: .json(.init(name: name, description: description, roles: roleIDs))).created.body.json
                }
            }
            try output.print(group, columns: .groups)
        }
    }
}
