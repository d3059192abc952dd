import ArgumentParser
import CipherscaleClient
import Foundation

extension Audit {
    /// `cipherscale audit list`: the newest changes, or every change with `--all`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List recorded changes, newest first (admin keys only).")

        @OptionGroup var client: ClientOptions
        @Option(help: "Only changes at or after this time (ISO 8601, such as 2023-01-15T10:30:00.123Z).") var since: String?
        @Option(help: "Page size (default 50; the server clamps it to 200).") var limit: Int?
        @Flag(help: "Walk every page (100 a request) and print all changes; progress goes to stderr.") var all = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let since, CipherscaleClient.parseTimestamp(since) == nil {
                throw ValidationError("--since must be an ISO 8601 time such as 2023-01-15T10:30:00.123Z; got '\(since)'.")
            }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
        }

        func run() async throws {
            let from = since.flatMap(CipherscaleClient.parseTimestamp)
            let limit = all ? CipherscaleClient.walkPageSize : limit
            try await ListPrinter.run(client, all: all, output: output, columns: .auditEvents) {
                try await $0.auditEvents(since: from, limit: limit, after: $1)
            }
        }
    }
}
