import ArgumentParser
import CipherscaleClient

extension Devices {
    /// `cipherscale devices list`: a page of devices, or every device with `--all`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List devices: one page, or every page with --all.",
            discussion: """
                Filter fields: id name status active hardwareId appVersion user.id createdAt lastConnection. \
                Sort fields: name status createdAt updatedAt lastConnection.
                """
        )

        @OptionGroup var client: ClientOptions
        @OptionGroup var list: ListArguments
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let options = try list.options()
            try await ListPrinter.run(client, all: list.all, output: output, columns: .devices) { try await $0.devices(options, after: $1) }
        }
    }
}
