import Foundation
import Logging

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
