import ArgumentParser

/// `cipherscale users …`: the tenant's users, over HTTP.
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, read, create and change users of the tenant (over HTTP).",
        subcommands: [List.self, Get.self, Create.self, Delete.self, Deactivate.self, Reactivate.self, Invite.self, Roles.self]
    )
}
