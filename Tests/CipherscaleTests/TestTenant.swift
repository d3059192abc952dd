import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import Testing

@testable import Cipherscale

/// A tenant made for a test, with an admin and a read-only key.
struct TestTenant: Sendable {
    var id: String
    var ownerId: String
    var adminKey: String
    var readOnlyKey: String
}
