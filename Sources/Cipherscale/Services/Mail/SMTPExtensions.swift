/// The service extensions an `EHLO` reply lists, by upper-cased keyword, with their upper-cased parameters.
struct SMTPExtensions: Sendable, Equatable {
    /// Keyword to parameters, e.g. `AUTH` to `["PLAIN", "LOGIN"]`.
    var keywords: [String: [String]] = [:]

    /// No extensions (after `HELO`).
    init() {}

    /// Reads every line after the first of an `EHLO` reply; the old `AUTH=LOGIN` form counts as `AUTH LOGIN`.
    init(ehloReply: SMTPReply) {
        for line in ehloReply.lines.dropFirst() {
            var words = line.split(separator: " ").map { $0.uppercased() }
            guard !words.isEmpty else { continue }
            var keyword = words.removeFirst()
            if keyword.hasPrefix("AUTH=") {
                words.insert(String(keyword.dropFirst(5)), at: 0)
                keyword = "AUTH"
            }
            keywords[keyword, default: []] += words
        }
    }

    /// Whether the server listed `keyword`.
    func offers(_ keyword: String) -> Bool { keywords[keyword] != nil }

    /// The parameters listed with `keyword`, empty when it is not offered.
    func parameters(of keyword: String) -> [String] { keywords[keyword] ?? [] }
}
