import ArgumentParser
import CipherscaleClient

/// The list options of `users list`, `groups list` and `devices list`.
struct ListArguments: ParsableArguments {
    @Option(help: "Case-insensitive substring to search for.")
    var search: String?

    @Option(name: .customLong("filter"), help: "field:op:value, such as status:eq:active (repeatable; combined with AND).")
    var filters: [String] = []

    // Unconditional, so `--sort -email` takes `-email` as the value rather than as an option.
    @Option(parsing: .unconditionalSingleValue, help: "Sort items: field, -field or field:desc (repeatable, or comma-separated).")
    var sort: [String] = []

    @Option(help: "Page size (default 10; the server clamps it to 100).")
    var limit: Int?

    @Flag(help: "Walk every page (100 a request) and print all items; progress goes to stderr.")
    var all = false

    /// A negative limit or a filter that is not `field:op:value` is a usage error.
    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative.") }
        _ = try options()
    }

    /// The options to send.
    func options() throws -> ListOptions {
        do {
            return ListOptions(search: search, filters: try filters.map(ListFilter.init(parsing:)), sort: sort, limit: all ? 100 : limit)
        } catch {
            throw ValidationError("--filter: \(error.description)")
        }
    }
}
