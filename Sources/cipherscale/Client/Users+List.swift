import ArgumentParser
import CipherscaleClient

extension Users {
    /// `cipherscale users list`: a page of users, or every user with `--all`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List users: one page, or every page with --all.",
            discussion: """
                Filter fields: id email status firstName lastName isOwner createdAt updatedAt lastConnection groups.id roles.id; \
                operators: eq ne gt gte lt lte ilike in nin. Sort fields: email firstName lastName status createdAt updatedAt \
                lastConnection.
                """
        )

        @OptionGroup var client: ClientOptions
        @OptionGroup var list: ListArguments
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let options = try list.options()
            try await ListPrinter.run(client, all: list.all, output: output, columns: .users) { try await $0.users(options, after: $1) }
        }
    }
}
