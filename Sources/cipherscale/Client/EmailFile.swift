import ArgumentParser
import Foundation

/// A file of email addresses for `users create --file`: one a line, blank lines and `#` comments skipped.
enum EmailFile {
    /// The addresses in `path`, trimmed, in order; a file that cannot be read is a usage error.
    static func read(_ path: String) throws -> [String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read --file \(path): \(error.localizedDescription)")
        }
        return parse(text)
    }

    /// The addresses in `text`.
    static func parse(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}
