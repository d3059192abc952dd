import ArgumentParser
import CipherscaleClient

extension Groups {
    /// `cipherscale groups list`: a page of groups, or every group with `--all`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List groups: one page, or every page with --all.",
            discussion: "Filter fields: id name createdAt updatedAt. Sort fields: name createdAt updatedAt."
        )

        @OptionGroup var client: ClientOptions
        @OptionGroup var list: ListArguments
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let options = try list.options()
            try await ListPrinter.run(client, all: list.all, output: output, columns: .groups) { try await $0.groups(options, after: $1) }
        }
    }
}
