/// A device's connection state, derived from `active` and the last heartbeat.
public enum DeviceStatus: String, Sendable, CaseIterable {
    case online = "Online"
    case offline = "Offline"
    case deactivated = "Deactivated"
}
