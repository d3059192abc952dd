import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import Testing

@testable import Cipherscale

/// A response with JSON helpers.
struct Reply: Sendable {
    let response: TestResponse

    var status: HTTPResponse.Status { response.status }
    var headers: HTTPFields { response.headers }
    var text: String { String(buffer: response.body) }
    var contentType: String? { response.headers[.contentType] }
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
    /// A problem's `detail` and the `detail` of each of its `errors`, in one string to search.
    var problemDetail: String {
        ([object["detail"] as? String ?? ""] + (object["errors"] as? [[String: Any]] ?? []).map { $0["detail"] as? String ?? "" })
            .joined(separator: " | ")
    }
    /// The JSON pointers of a problem's `errors`.
    var pointers: [String] { (object["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String } }

    /// Checks that this is a problem+json answer with `status`.
    func expectProblem(_ expected: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == expected, "\(text)", sourceLocation: sourceLocation)
        #expect(contentType == "application/problem+json", sourceLocation: sourceLocation)
        #expect(object["status"] as? Int == expected.code, sourceLocation: sourceLocation)
        #expect(object["title"] is String, sourceLocation: sourceLocation)
        #expect(object["type"] is String, sourceLocation: sourceLocation)
    }
}
