/// How log lines are written (`LOG_FORMAT`).
public enum LogFormat: String, Sendable {
    /// swift-log's human-readable lines (the default).
    case text
    /// One JSON object per line: `time`, `level`, `message`, then the metadata (`request_id`, and on
    /// access lines `method`, `route`, `status`, `duration_ms`).
    case json
}
