import ArgumentParser

/// `cipherscale audit …`: the tenant's audit log, over HTTP.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read the tenant's audit log (over HTTP).", subcommands: [List.self])
}
