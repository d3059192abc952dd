import Foundation
import HTTPTypes
import Logging
import SQLKit
import Synchronization
import Testing

@testable import Cipherscale

/// A transport that keeps what it is given, and can be told to fail.
final class RecordingTransport: MailTransport {
    private let state = Mutex<(sent: [OutgoingMail], failure: MailDeliveryError?)>(([], nil))

    var sent: [OutgoingMail] { state.withLock { $0.sent } }

    func fail(with error: MailDeliveryError?) {
        state.withLock { $0.failure = error }
    }

    func deliver(_ messages: [OutgoingMail]) async -> [Result<Void, MailDeliveryError>] {
        state.withLock { state in
            if let failure = state.failure { return messages.map { _ in .failure(failure) } }
            state.sent += messages
            return messages.map { _ in .success(()) }
        }
    }
}
