import Tracing

/// Puts trace context into, and reads it from, a `[String: String]` of header names and values
/// (a job's stored `traceparent` travels this way).
struct TraceCarrier: Injector, Extractor {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }

    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
