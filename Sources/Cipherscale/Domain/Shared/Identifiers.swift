import Foundation
import Synchronization

/// New ids and the checks on ids that clients send.
public enum Identifiers {
    private static let state = Mutex<(millis: Millis, counter: UInt16)>((0, 0))

    /// A new lower-case UUID, version 7: time-ordered, so rows created together list in creation order
    /// and the primary-key index grows at its end.
    public static func make() -> String {
        let now = SystemClock().now()
        let (millis, counter) = state.withLock { state -> (Millis, UInt16) in
            if now > state.millis {
                state = (now, UInt16.random(in: 0..<0x0800))
            } else {
                // Same (or earlier) millisecond: keep ordering by bumping the 12-bit counter.
                state.counter &+= 1
                if state.counter > 0x0FFF {
                    state = (state.millis + 1, 0)
                }
            }
            return (state.millis, state.counter)
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index))) }
        bytes[6] = 0x70 | UInt8(counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        // One draw of 64 random bits (one getrandom call), not one per byte: ids are made on every
        // request (its request id) and every write.
        var generator = SystemRandomNumberGenerator()
        let random = generator.next()
        for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: random >> (8 * (index - 8))) }
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return format(bytes)
    }

    private static func format(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(45) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The canonical (lower-case) form of a UUID string, or nil when it is not a UUID.
    public static func canonical(_ text: String) -> String? {
        guard text.utf8.count == 36, let uuid = UUID(uuidString: text) else { return nil }
        return uuid.uuidString.lowercased()
    }
}
