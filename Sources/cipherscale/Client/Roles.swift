import ArgumentParser

/// `cipherscale roles …`: the tenant's system roles, over HTTP.
struct Roles: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the tenant's roles (over HTTP).", subcommands: [List.self])
}
