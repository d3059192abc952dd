/// Why an SMTP delivery failed, and whether trying again later can help.
public enum SMTPError: Error, Sendable, Equatable {
    /// Worth retrying later: a 4xx reply (`code` set), or no usable reply at all — connection refused
    /// or lost, TLS failure, timeout, or a reply that is not SMTP (`code` is `nil` then).
    case transient(code: Int?, message: String)
    /// Not worth retrying as it is: a 5xx reply, or an envelope this client refuses to send
    /// (reported with the code a server would give, 501 or 554).
    case permanent(code: Int, message: String)

    /// Whether the failure is final (a 5xx), as opposed to worth a later retry.
    public var isPermanent: Bool {
        if case .permanent = self { return true }
        return false
    }

    /// The SMTP reply code, when a reply caused the failure.
    public var code: Int? {
        switch self {
        case .transient(let code, _): code
        case .permanent(let code, _): code
        }
    }

    /// What happened, in words (the server's reply text when there was one).
    public var message: String {
        switch self {
        case .transient(_, let message), .permanent(_, let message): message
        }
    }
}

extension SMTPError: CustomStringConvertible {
    /// A one-line summary such as `permanent SMTP failure: RCPT TO:<a@b.c> answered 550 5.1.1 no such user`.
    public var description: String {
        "\(isPermanent ? "permanent" : "temporary") SMTP failure: \(message)"
    }
}
