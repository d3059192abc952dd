import Foundation

/// Progress of a long command, on stderr so that stdout stays the answer.
enum Progress {
    /// Writes `fetched 300 of 1,234` (or another verb) on a line of its own.
    static func report(_ verb: String, _ done: Int, of total: Int) {
        FileHandle.standardError.write(Data("\(verb) \(grouped(done)) of \(grouped(total))\n".utf8))
    }

    /// A count with thousands separated by commas, whatever the locale: `1,234`.
    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text += "," }
            text.append(digit)
        }
        return number < 0 ? "-" + text : text
    }
}
