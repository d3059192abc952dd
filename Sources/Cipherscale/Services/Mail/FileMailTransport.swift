import Foundation
import Logging
import NIOPosix

/// The embedded default, for running without an SMTP server: each message becomes two files in
/// the folder, named after the recipient and the message's id:
///
/// - `<recipient>_<message-id>.eml`, the message exactly as it would be sent (open it in a mail client);
/// - `<recipient>_<message-id>.txt`, a readable copy (subject and plain text, with the link).
///
/// The message id is the outbox row's id (the `Message-ID` without its `@domain`), so writing the
/// same message again replaces its files and a retry never makes a duplicate. Each delivery is
/// logged at info level with the recipient, the file and the link, so the link can be taken from
/// the server's output.
public struct FileMailTransport: MailTransport {
    let folder: URL
    let logger: Logger

    public init(folder: String, logger: Logger) {
        self.folder = URL(fileURLWithPath: folder)
        self.logger = logger
    }

    public func deliver(_ messages: [OutgoingMail]) async -> [Result<Void, MailDeliveryError>] {
        // File writes block: on NIO's thread pool they do not hold up one of Swift's cooperative
        // threads (one a core), which serve the requests.
        do {
            return try await NIOThreadPool.singleton.runIfActive { writeAll(messages) }
        } catch {
            return messages.map { _ in .failure(.transient("cannot write \(folder.path): \(error)")) }
        }
    }

    private func writeAll(_ messages: [OutgoingMail]) -> [Result<Void, MailDeliveryError>] {
        messages.map { message in
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let name = Self.baseName(for: message)
                try write(message.readable, to: name + ".txt")
                let file = try write(message.data, to: name + ".eml")
                var metadata: Logger.Metadata = ["to": "\(message.to)", "file": "\(file.path)"]
                if let link = message.link { metadata["link"] = "\(link)" }
                logger.info("wrote invitation email (no SMTP_URL set)", metadata: metadata)
                return .success(())
            } catch {
                return .failure(.transient("cannot write \(folder.path): \(error)"))
            }
        }
    }

    /// Writes `text` to `name` in the folder through a temporary file, so a reader never sees half of it.
    @discardableResult
    private func write(_ text: String, to name: String) throws -> URL {
        let file = folder.appendingPathComponent(name)
        let temporary = folder.appendingPathComponent(".\(name).tmp")
        try Data(text.utf8).write(to: temporary)
        _ = try? FileManager.default.removeItem(at: file)
        try FileManager.default.moveItem(at: temporary, to: file)
        return file
    }

    /// `<recipient>_<message-id without @domain>`, with anything but letters, digits, `@ . - +`
    /// replaced by `_`, so the name is safe on every file system and sorts by recipient.
    static func baseName(for message: OutgoingMail) -> String {
        let id = message.messageId.split(separator: "@").first.map(String.init) ?? message.messageId
        return safe(message.to) + "_" + safe(id)
    }

    private static func safe(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "@.-+".contains($0)) ? $0 : "_" })
    }
}
