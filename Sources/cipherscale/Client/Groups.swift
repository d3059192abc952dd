import ArgumentParser

/// `cipherscale groups …`: the tenant's groups and their members, over HTTP.
struct Groups: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, create and delete groups, and change their members (over HTTP).",
        subcommands: [List.self, Create.self, Delete.self, AddUser.self, RemoveUser.self]
    )
}
