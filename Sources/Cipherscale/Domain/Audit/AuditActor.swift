import Foundation

/// Who made a change.
public enum AuditActor: Sendable, Equatable {
    /// A request carrying this API key (its id, never its secret).
    case apiKey(String)
    /// Someone holding the link of this invitation.
    case invitation(String)
    /// The operator, through the command line.
    case system
    /// A user signed in to the console (their user id).
    case user(String)

    public var type: String {
        switch self {
        case .apiKey: "apiKey"
        case .invitation: "invitation"
        case .system: "system"
        case .user: "user"
        }
    }

    public var id: String? {
        switch self {
        case .apiKey(let id), .invitation(let id), .user(let id): id
        case .system: nil
        }
    }
}
