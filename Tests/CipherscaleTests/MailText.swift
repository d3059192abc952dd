import Foundation
import HTTPTypes
import Logging
import SQLKit
import Synchronization
import Testing

@testable import Cipherscale

/// Reading what the rendered messages say.
enum MailText {
    /// The decoded body parts of a MIME message (base64 parts only, as the server writes them).
    static func parts(_ data: String) -> [String] {
        let sections = data.components(separatedBy: "\r\n\r\n")
        var decoded: [String] = []
        for (index, section) in sections.enumerated() where index > 0 {
            let base64 = section.components(separatedBy: "\r\n--").first!.replacingOccurrences(of: "\r\n", with: "")
            if let bytes = Data(base64Encoded: base64), let text = String(data: bytes, encoding: .utf8) { decoded.append(text) }
        }
        return decoded
    }

    /// The token in the message's acceptance link.
    static func token(_ mail: OutgoingMail) -> String? {
        for part in parts(mail.data) {
            if let range = part.range(of: "https://directory.example/invitations/") {
                let rest = part[range.upperBound...]
                return String(rest.prefix { $0 != "/" })
            }
        }
        return nil
    }

    static func header(_ name: String, in data: String) -> String? {
        data.components(separatedBy: "\r\n").first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) }
    }
}
