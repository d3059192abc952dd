import Foundation

/// Splitting and decoding `application/x-www-form-urlencoded` query strings.
public enum QueryString {
    /// The decoded `key=value` pairs in order (`+` is a space; `%XX` escapes are decoded).
    public static func pairs(_ raw: String?) -> [(String, String)] {
        guard let raw, !raw.isEmpty else { return [] }
        return raw.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(pieces[0])
            let value = pieces.count > 1 ? decode(pieces[1]) : ""
            return (key, value)
        }
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
