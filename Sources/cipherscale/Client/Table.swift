/// Rows of text in aligned columns: each column as wide as its widest cell, two spaces between
/// columns, no trailing spaces.
struct Table {
    var headers: [String]
    var rows: [[String]]

    /// The table, one line per row after the header line, each ending in a newline.
    var rendered: String {
        let lines = [headers] + rows
        var widths = [Int](repeating: 0, count: headers.count)
        for line in lines {
            for (index, cell) in line.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        return lines.map { line in
            var text = ""
            for (index, cell) in line.enumerated() where index < widths.count {
                let isLast = index == widths.count - 1
                text += isLast ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text + "\n"
        }.joined()
    }
}
