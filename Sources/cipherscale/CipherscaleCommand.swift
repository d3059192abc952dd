import ArgumentParser
import Cipherscale
import Foundation
import Hummingbird
import Logging

/// `cipherscale`: the Cipherscale Directory server and its administration commands.
@main
struct CipherscaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cipherscale",
        abstract: "Cipherscale Directory: the tenant user-management API server.",
        subcommands: [Serve.self, Migrate.self, Tenants.self, APIKeys.self, Seed.self],
        defaultSubcommand: Serve.self
    )

    /// Parses and runs the command. Usage errors, `--help` and a command's `ValidationError` are
    /// ArgumentParser's to print; any other error ends the process here, in one place for every
    /// command, with one line on stderr (`cipherscale: cannot listen on 127.0.0.1:8080: address
    /// already in use`) and exit status 1, instead of a dump of the error's type.
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try await asyncParseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error where error is ValidationError || error is ExitCode || error is CleanExit {
            exit(withError: error)
        } catch {
            fflush(nil)
            FileHandle.standardError.write(Data("cipherscale: \(StartupFailure.message(for: error))\n".utf8))
            Self.exit(withError: ExitCode.failure)
        }
    }
}
