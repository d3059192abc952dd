import ArgumentParser
import Cipherscale
import CipherscaleClient
import Foundation
import Hummingbird
import Logging

/// `cipherscale`: the Cipherscale Directory server, its operator commands on the database, and
/// client commands that talk to a running server over HTTP.
@main
struct CipherscaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cipherscale",
        abstract: "Cipherscale Directory: the tenant user-management API server and its command-line client.",
        discussion: """
            Operator commands work on the database directly (DATABASE_URL). Client commands talk to a running \
            server over HTTP (--url or CIPHERSCALE_URL, --api-key or CIPHERSCALE_API_KEY). Exit status: 0 done, \
            1 refused by the server or the server cannot be reached (or a start-up failure), 2 bad usage.
            """,
        groupedSubcommands: [
            CommandGroup(
                name: "Operator (on the database directly)",
                subcommands: [Serve.self, Migrate.self, Tenants.self, APIKeys.self, ConsoleLink.self, Seed.self]),
            CommandGroup(
                name: "Client (over HTTP, with an API key)", subcommands: [Users.self, Groups.self, Roles.self, Devices.self, Audit.self]),
        ],
        defaultSubcommand: Serve.self
    )

    /// The exit status of a usage error (ArgumentParser's own is 64).
    static let usageStatus: Int32 = 2

    /// Parses and runs the command, and ends the process with one exit status per kind of outcome:
    /// 0 for success and for help (`--help`, `help`, a group without a subcommand); 2 for usage
    /// errors, with ArgumentParser's message; 1 for a request the server refused (the problem's
    /// title, detail and field errors), a server that cannot be reached, or any other failure, in
    /// one line (`cipherscale: cannot listen on 127.0.0.1:8080: address already in use`) instead
    /// of a dump of the error's type.
    static func main() async {
        let command: any ParsableCommand
        do {
            command = try await asyncParseAsRoot()
        } catch {
            exitForArguments(error)
        }
        guard var runnable = command as? any AsyncParsableCommand else {
            // Only ArgumentParser's own `help` command is synchronous: what it throws is help to print.
            do {
                var command = command
                try command.run()
                Self.exit()
            } catch {
                exitForArguments(error)
            }
        }
        do {
            try await runnable.run()
        } catch let error where error is ValidationError || error is ExitCode || error is CleanExit {
            exitForArguments(error)
        } catch let error as CipherscaleProblem {
            fail(error.description)
        } catch let error as CipherscaleClientError {
            fail(error.description)
        } catch {
            fail(StartupFailure.message(for: error))
        }
    }

    /// Ends the process as ArgumentParser would for `error`, but with status 2 for usage errors.
    static func exitForArguments(_ error: any Error) -> Never {
        guard exitCode(for: error) == .validationFailure else { Self.exit(withError: error) }
        fflush(nil)
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Self.exit(withError: ExitCode(usageStatus))
    }

    /// Ends the process with status 1 after `message`, each line prefixed with the program's name
    /// on the first line only (`cipherscale: 404 Not Found: …` then indented field errors).
    static func fail(_ message: String) -> Never {
        fflush(nil)
        FileHandle.standardError.write(Data("cipherscale: \(message)\n".utf8))
        Self.exit(withError: ExitCode.failure)
    }
}
