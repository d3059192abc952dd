import ArgumentParser

/// `cipherscale devices …`: the devices of the tenant's users, over HTTP.
struct Devices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the tenant's devices (over HTTP).", subcommands: [List.self])
}
