import Foundation

/// The rules on invitations, as pure functions of values. `RulesTests` checks each without a database.
public enum InvitationRules {
    /// An invitation can be used while pending and not expired: used or replaced is 409, expired 410.
    public static func checkUsable(_ invitation: InvitationView, now: Millis) throws(DirectoryError) {
        switch invitation.status {
        case .accepted: throw DirectoryError.conflict("This invitation has already been accepted.")
        case .superseded: throw DirectoryError.conflict("This invitation was replaced by a newer one; use the link in the latest email.")
        case .pending: break
        }
        if isExpired(invitation, now: now) {
            throw DirectoryError(.gone, "This invitation expired at \(Timestamps.format(invitation.expiresAt)).")
        }
    }

    /// Whether a pending invitation's time is up.
    public static func isExpired(_ invitation: InvitationView, now: Millis) -> Bool {
        invitation.status == .pending && invitation.expiresAt <= now
    }

    /// The names a person gives when accepting: both required, trimmed, at most 100 characters, no NUL.
    public static func acceptedNames(firstName: String?, lastName: String?) throws(DirectoryError) -> (first: String, last: String) {
        var errors: [FieldError] = []
        let first = (firstName ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let last = (lastName ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        // A form post is not checked as JSON; NUL cannot be stored, so refuse it here.
        if first.contains("\u{0}") { errors.append(FieldError(.body(field: "firstName"), "must not contain NUL characters")) }
        if last.contains("\u{0}") { errors.append(FieldError(.body(field: "lastName"), "must not contain NUL characters")) }
        if first.isEmpty { errors.append(FieldError(.body(field: "firstName"), "is required")) }
        if last.isEmpty { errors.append(FieldError(.body(field: "lastName"), "is required")) }
        Validation.checkLength(first, limit: Validation.maxNameLength, field: "firstName", errors: &errors)
        Validation.checkLength(last, limit: Validation.maxNameLength, field: "lastName", errors: &errors)
        if !errors.isEmpty { throw DirectoryError.invalid("Your first and last name are needed.", errors) }
        return (first, last)
    }
}
