import Foundation
import Logging

/// One message ready to go: envelope addresses and the full RFC 5322 text.
public struct OutgoingMail: Sendable, Equatable {
    /// The `Message-ID` (without angle brackets); stable across retries of the same outbox row.
    public var messageId: String
    public var from: String
    public var to: String
    public var data: String
}

/// How a delivery attempt went.
public enum MailDeliveryError: Error, Sendable, Equatable {
    /// Worth retrying later (4xx, connection trouble, timeouts).
    case transient(String)
    /// Never worth retrying (5xx).
    case permanent(String)
}

/// Where mail goes: an SMTP server, or files when none is configured. A seam for tests.
public protocol MailTransport: Sendable {
    /// Delivers each message, answering one result per message in order.
    func deliver(_ messages: [OutgoingMail]) async -> [Result<Void, MailDeliveryError>]
}

/// Delivery over SMTP with ``SMTPClient``: one connection per batch.
public struct SMTPMailTransport: MailTransport {
    let client: SMTPClient

    public init(configuration: SMTPConfiguration) {
        client = SMTPClient(configuration: configuration)
    }

    public func deliver(_ messages: [OutgoingMail]) async -> [Result<Void, MailDeliveryError>] {
        let envelopes = messages.map { SMTPEnvelope(from: $0.from, recipients: [$0.to], message: $0.data) }
        return await client.send(envelopes).map { result in
            result.mapError { error in
                error.isPermanent ? .permanent(String(describing: error)) : .transient(String(describing: error))
            }
        }
    }
}

/// The embedded default: each message becomes `<folder>/<message-id>.eml`, and a log line says so.
/// Writing the same message again replaces its file, so a retry never makes a duplicate.
public struct FileMailTransport: MailTransport {
    let folder: URL
    let logger: Logger

    public init(folder: String, logger: Logger) {
        self.folder = URL(fileURLWithPath: folder)
        self.logger = logger
    }

    public func deliver(_ messages: [OutgoingMail]) async -> [Result<Void, MailDeliveryError>] {
        messages.map { message in
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let file = folder.appendingPathComponent(Self.fileName(for: message.messageId))
                let temporary = folder.appendingPathComponent(".\(Self.fileName(for: message.messageId)).tmp")
                try Data(message.data.utf8).write(to: temporary)
                _ = try? FileManager.default.removeItem(at: file)
                try FileManager.default.moveItem(at: temporary, to: file)
                logger.info("wrote invitation email", metadata: ["to": "\(message.to)", "file": "\(file.path)"])
                return .success(())
            } catch {
                return .failure(.transient("cannot write \(folder.path): \(error)"))
            }
        }
    }

    static func fileName(for messageId: String) -> String {
        String(messageId.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }) + ".eml"
    }
}
