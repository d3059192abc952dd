import Logging
import Synchronization

/// A log handler that keeps every line with its metadata, for tests of what the server logs.
struct RecordingLogHandler: LogHandler {
    /// One logged line.
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    /// Where the lines go; shared by every copy of the handler.
    final class Store: Sendable {
        private let storage = Mutex<[Line]>([])
        var lines: [Line] { storage.withLock { $0 } }
        func append(_ line: Line) { storage.withLock { $0.append(line) } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.append(Line(level: event.level, message: "\(event.message)", metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }

    /// A logger writing into a new store.
    static func logger() -> (Logger, Store) {
        let store = Store()
        return (Logger(label: "test") { _ in RecordingLogHandler(store: store) }, store)
    }
}
