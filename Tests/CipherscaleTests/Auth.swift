import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import Testing

@testable import Cipherscale

/// Which API key a test request carries.
enum Auth: Sendable {
    /// Tenant A's admin key.
    case adminA
    /// This key.
    case key(String)
    /// No `apikey` header.
    case none
}
