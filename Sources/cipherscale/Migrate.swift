import ArgumentParser
import Cipherscale
import Foundation
import Hummingbird
import Logging

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await withDatabase(database, quiet: false) { _ in }
        print("Migrations are up to date.")
    }
}
