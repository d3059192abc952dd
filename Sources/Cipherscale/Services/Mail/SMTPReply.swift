import Foundation

/// One complete server reply: a code and its text lines (one per line of a multi-line reply).
struct SMTPReply: Sendable, Equatable {
    /// The three-digit reply code.
    var code: Int
    /// The text after the code on each line, in order.
    var lines: [String]

    /// The error this reply means when `label` expected something else: 4xx transient, 5xx permanent,
    /// anything else an unexpected reply (transient).
    func failure(label: String) -> SMTPError {
        let text = lines.joined(separator: " ").trimmingCharacters(in: .whitespaces)
        let message = "\(label) answered \(code)\(text.isEmpty ? "" : " " + text)"
        switch code {
        case 400..<500: return .transient(code: code, message: message)
        case 500..<600: return .permanent(code: code, message: message)
        default: return .transient(code: code, message: "unexpected reply: \(message)")
        }
    }
}
