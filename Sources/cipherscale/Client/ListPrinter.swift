import CipherscaleClient

/// The one way the list commands read and print: one page (its envelope with `--json`, a note on
/// stderr when more follow), or with `--all` every page with progress on stderr and all items at once.
enum ListPrinter {
    static func run<Page: ListPage & Encodable>(
        _ client: ClientOptions, all: Bool, output: OutputOptions, columns: TableColumns<Page.Item>,
        page: (CipherscaleClient, _ after: String?) async throws -> Page
    ) async throws where Page.Item: Encodable {
        try await client.withClient { directory in
            if all {
                let items = try await directory.all(progress: { Progress.report("fetched", $0, of: $1) }) { try await page(directory, $0) }
                try output.print(items, columns: columns)
            } else {
                let first = try await page(directory, nil)
                try output.print(first, items: first.items, columns: columns)
                if !output.json && first.nextCursor != nil {
                    Progress.report("showed", first.items.count, of: first.totalCount)
                }
            }
        }
    }
}
