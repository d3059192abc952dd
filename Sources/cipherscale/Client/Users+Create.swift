import ArgumentParser
import CipherscaleClient
import Foundation

extension Users {
    /// `cipherscale users create`: one user, or one per line of a file, in batches of 100.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create users (pending, each sent an invitation), in batches of 100.",
            discussion: """
                Every user joins at least one group: the groups given with --group, or else the tenant's Default group \
                (looked up by name). Each batch is all or nothing; when one is refused, the batches before it stay created.
                """
        )

        @OptionGroup var client: ClientOptions
        @Option(name: .customLong("email"), help: "An email address (repeatable).") var emails: [String] = []
        @Option(help: "A file of email addresses, one a line; blank lines and lines starting with # are skipped.") var file: String?
        @Option(name: .customLong("group"), help: "A group id to join (repeatable; default: the Default group).") var groups: [String] = []
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if emails.isEmpty && file == nil { throw ValidationError("Give --email or --file.") }
        }

        func run() async throws {
            var all = emails
            if let file { all += try EmailFile.read(file) }
            if all.isEmpty { throw ValidationError("\(file ?? "the file") holds no email address.") }
            let users = try await client.withClient { directory in
                let groups = groups.isEmpty ? [try await directory.defaultGroupID()] : groups
                return try await directory.createUsers(emails: all, groups: groups) { created, total in
                    if total > CipherscaleClient.batchSize { Progress.report("created", created, of: total) }
                }
            }
            try output.print(users, columns: .users)
        }
    }
}
