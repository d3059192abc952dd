import Foundation

/// What one run of the `cipherscale` executable did: its exit status and everything it printed.
struct CommandRun: Sendable, CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    /// The stdout lines, without the empty one after the last newline.
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }

    /// The stdout parsed as JSON.
    var json: Any { (try? JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed])) ?? NSNull() }

    var description: String { "exit \(status)\n--- stdout\n\(stdout.prefix(2_000))\n--- stderr\n\(stderr.prefix(2_000))" }
}
