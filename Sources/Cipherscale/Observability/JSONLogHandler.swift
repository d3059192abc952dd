import Foundation
import Logging
import NIOCore

/// `LOG_FORMAT=json`: each log line is one JSON object (`time`, `level`, `message`, `label`, then the
/// metadata, numbers as numbers), for log pipelines that parse rather than grep.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    /// Metadata of the moment (with tracing on: the current span's `trace_id` and `span_id`).
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    /// Where each line goes (standard error unless a test captures it).
    let write: @Sendable (String) -> Void

    /// A handler writing to standard error.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label) { line in FileHandle.standardError.write(Data(line.utf8)) }
        self.metadataProvider = metadataProvider
    }

    init(label: String, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String, function: String,
        line: UInt
    ) {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("time")
        writer.value(Timestamps.format(Millis(Date().timeIntervalSince1970 * 1000)))
        writer.key("level")
        writer.value(level.rawValue)
        writer.key("message")
        writer.value(message.description)
        writer.key("label")
        writer.value(label)
        var merged = self.metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit { merged.merge(explicit) { _, new in new } }
        for key in merged.keys.sorted() {
            writer.key(key)
            Self.write(merged[key]!, to: &writer)
        }
        writer.endObject()
        write(String(buffer: writer.buffer) + "\n")
    }

    private static func write(_ value: Logger.MetadataValue, to writer: inout JSONWriter) {
        switch value {
        case .string(let text): writer.value(text)
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as Int: writer.value(number)
            case let number as Double: writer.value(number)
            case let flag as Bool: writer.value(flag)
            default: writer.value(convertible.description)
            }
        case .array(let items):
            writer.beginArray()
            for item in items { write(item, to: &writer) }
            writer.endArray()
        case .dictionary(let members):
            writer.beginObject()
            for key in members.keys.sorted() {
                writer.key(key)
                write(members[key]!, to: &writer)
            }
            writer.endObject()
        }
    }
}
