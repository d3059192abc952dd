import Synchronization

/// The registered routes (filled once the router is built), for answering 405 with an `Allow` header.
final class RouteTable: Sendable {
    private let entries: Mutex<[(segments: [String], method: String)]> = Mutex([])
    /// Every route's first segment (`tenants`, `health`, …): a path starting otherwise matches none.
    private let firstSegments: Mutex<Set<String>> = Mutex([])

    /// Records the router's routes.
    func record(_ routes: [(path: String, method: String)]) {
        entries.withLock { entries in
            entries = routes.map { (segments: $0.path.split(separator: "/").map(String.init), method: $0.method) }
            let firsts = Set(entries.map { $0.segments.first ?? "" })
            firstSegments.withLock { $0 = firsts }
        }
    }

    /// The methods registered for a path, or nil when no route has this path.
    func allowedMethods(for path: String) -> [String]? {
        let first = path.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        guard firstSegments.withLock({ $0.contains(first) }) else { return nil }
        let parts = path.split(separator: "/").map(String.init)
        let methods = entries.withLock { entries in
            entries.filter { entry in
                entry.segments.count == parts.count
                    && zip(entry.segments, parts).allSatisfy { pattern, part in pattern.hasPrefix("{") || pattern.hasPrefix(":") || pattern == part }
            }.map(\.method)
        }
        return methods.isEmpty ? nil : Array(Set(methods)).sorted()
    }
}
