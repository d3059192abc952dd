import ArgumentParser
import CipherscaleClient
import Foundation

/// How a client command prints what the server answered: an aligned table, or `--json`.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the server's JSON, pretty-printed, instead of a table.")
    var json = false

    /// Prints `value` as JSON when `--json` was given, otherwise `items` as a table of `columns`.
    func print<Value: Encodable, Item>(_ value: Value, items: [Item], columns: TableColumns<Item>) throws {
        if json {
            Swift.print(try CipherscaleClient.prettyJSON(value))
        } else {
            Swift.print(Table(headers: columns.headers, rows: items.map(columns.row)).rendered, terminator: "")
        }
    }

    /// Prints `items` as a JSON array or as a table.
    func print<Item: Encodable>(_ items: [Item], columns: TableColumns<Item>) throws {
        try print(items, items: items, columns: columns)
    }

    /// Prints one item as a JSON object or as a one-row table.
    func print<Item: Encodable>(_ item: Item, columns: TableColumns<Item>) throws {
        try print(item, items: [item], columns: columns)
    }
}
