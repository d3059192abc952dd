import Foundation
import SQLKit

/// An invitation as its link's owner sees it.
public struct InvitationView: Sendable, Equatable {
    public var id: String
    public var userId: String
    public var email: String
    public var tenantId: String
    public var tenantName: String
    /// `pending`, `accepted` or `superseded` as stored; expiry is judged against `expiresAt`.
    public var status: String
    public var createdAt: Millis
    public var expiresAt: Millis
    public var consumedAt: Millis?
}

/// The delivery state of an invitation's message.
public struct DeliveryState: Sendable, Equatable {
    /// `queued`, `sent`, `failed` or `cancelled`.
    public var status: String
    public var attempts: Int
    public var lastAttemptAt: Millis?
    public var nextAttemptAt: Millis?
    public var deliveredAt: Millis?
    public var lastError: String?
}

/// A claimed outbox message with everything needed to render and send it.
public struct OutboxItem: Sendable, Equatable {
    public var id: String
    public var invitationId: String
    public var invitationStatus: String
    public var expiresAt: Millis
    public var recipient: String
    public var tenantName: String
    /// Attempts including this one.
    public var attempts: Int
}

extension DirectoryStore {
    /// A named server secret, created at random on first use (all processes sharing the database agree).
    public func serverSecret(name: String, create: @Sendable () -> String) async throws -> String {
        try await pool.transaction { db in
            try await db.raw(
                "INSERT INTO server_secrets (name, value, created_at) VALUES (\(bind: name), \(bind: create()), \(bind: Timestamps.now())) ON CONFLICT DO NOTHING"
            ).run()
            return try await db.raw("SELECT value FROM server_secrets WHERE name = \(bind: name)").first()!.decode(column: "value", as: String.self)
        }
    }

    private static let invitationColumns =
        "i.id, i.user_id, u.email, i.tenant_id, t.name AS tenant_name, i.status, i.created_at, i.expires_at, i.consumed_at"

    private static func invitation(_ row: any SQLRow) throws -> InvitationView {
        InvitationView(
            id: try row.decode(column: "id", as: String.self),
            userId: try row.decode(column: "user_id", as: String.self),
            email: try row.decode(column: "email", as: String.self),
            tenantId: try row.decode(column: "tenant_id", as: String.self),
            tenantName: try row.decode(column: "tenant_name", as: String.self),
            status: try row.decode(column: "status", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Millis.self),
            expiresAt: try row.decode(column: "expires_at", as: Millis.self),
            consumedAt: try row.decode(column: "consumed_at", as: Millis?.self)
        )
    }

    /// The invitation whose token has this hash, in any state.
    public func invitation(tokenHash: String) async throws -> InvitationView? {
        try await pool.read { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: Self.invitationColumns) FROM invitations i
                JOIN users u ON u.id = i.user_id JOIN tenants t ON t.id = i.tenant_id
                WHERE i.token_hash = \(bind: tokenHash)
                """
            ).first().map(Self.invitation)
        }
    }

    /// A user's latest invitation and its message's delivery state, or 404.
    public func latestInvitation(tenantId: String, userId: String) async throws -> (InvitationView, DeliveryState?) {
        try await pool.read { db in
            _ = try await loadUser(db, tenantId: tenantId, id: userId)
            guard let row = try await db.raw(
                """
                SELECT \(unsafeRaw: Self.invitationColumns) FROM invitations i
                JOIN users u ON u.id = i.user_id JOIN tenants t ON t.id = i.tenant_id
                WHERE i.tenant_id = \(bind: tenantId) AND i.user_id = \(bind: userId)
                ORDER BY i.created_at DESC, i.id DESC LIMIT 1
                """
            ).first() else { throw DirectoryError.notFound("The user has no invitation.") }
            let invitation = try Self.invitation(row)
            let delivery = try await db.raw(
                """
                SELECT status, attempts, last_attempt_at, next_attempt_at, delivered_at, last_error FROM outbox_messages
                WHERE invitation_id = \(bind: invitation.id) ORDER BY created_at DESC LIMIT 1
                """
            ).first().map { row in
                let status = try row.decode(column: "status", as: String.self)
                return DeliveryState(
                    status: status,
                    attempts: try row.decode(column: "attempts", as: Int.self),
                    lastAttemptAt: try row.decode(column: "last_attempt_at", as: Millis?.self),
                    nextAttemptAt: status == "queued" ? try row.decode(column: "next_attempt_at", as: Millis.self) : nil,
                    deliveredAt: try row.decode(column: "delivered_at", as: Millis?.self),
                    lastError: try row.decode(column: "last_error", as: String?.self)
                )
            }
            return (invitation, delivery)
        }
    }

    /// Accepts an invitation: the pending user becomes active with their names, and the token is used up.
    /// Unknown 404, used or superseded 409, expired 410.
    public func acceptInvitation(tokenHash: String, firstName: String, lastName: String) async throws -> User {
        try await pool.transaction { db in
            let lock = pool.kind == .postgres ? " FOR UPDATE OF i" : ""
            guard let row = try await db.raw(
                """
                SELECT \(unsafeRaw: Self.invitationColumns) FROM invitations i
                JOIN users u ON u.id = i.user_id JOIN tenants t ON t.id = i.tenant_id
                WHERE i.token_hash = \(bind: tokenHash)\(unsafeRaw: lock)
                """
            ).first() else { throw DirectoryError.notFound("No invitation has this token.") }
            let invitation = try Self.invitation(row)
            let now = Timestamps.now()
            try Self.checkUsable(invitation, now: now)
            let user = try await lockUser(db, tenantId: invitation.tenantId, id: invitation.userId)
            guard user.status == .pending else {
                throw DirectoryError.conflict("The account is \(user.status.rawValue); the invitation cannot be accepted.")
            }
            try await db.raw(
                """
                UPDATE users SET status = 'active', invitation_accepted = \(bind: true), first_name = \(bind: firstName),
                last_name = \(bind: lastName), updated_at = \(bind: now) WHERE id = \(bind: user.id)
                """
            ).run()
            try await db.raw("UPDATE invitations SET status = 'accepted', consumed_at = \(bind: now) WHERE id = \(bind: invitation.id)").run()
            try await audit(db, tenantId: invitation.tenantId, [
                AuditEntry("user.accept-invitation", target: ("user", user.id), related: ("invitation", invitation.id), changes: [
                    "status": AuditChange(.string(user.status.rawValue), .string("active")),
                    "firstName": AuditChange(AuditValue(user.firstName), .string(firstName)),
                    "lastName": AuditChange(AuditValue(user.lastName), .string(lastName)),
                ], actor: .invitation(invitation.id))
            ], at: now)
            try await db.raw(
                "UPDATE outbox_messages SET status = 'cancelled', lease_until = NULL WHERE invitation_id = \(bind: invitation.id) AND status = 'queued'"
            ).run()
            return try await loadUser(db, tenantId: invitation.tenantId, id: user.id)
        }
    }

    /// Throws 409 for used or superseded invitations and 410 for expired ones.
    static func checkUsable(_ invitation: InvitationView, now: Millis) throws(DirectoryError) {
        switch invitation.status {
        case "accepted": throw DirectoryError.conflict("This invitation has already been accepted.")
        case "superseded": throw DirectoryError.conflict("This invitation was replaced by a newer one; use the link in the latest email.")
        default: break
        }
        if invitation.expiresAt <= now { throw DirectoryError(.gone, "This invitation expired at \(Timestamps.format(invitation.expiresAt)).") }
    }

    // MARK: - Outbox

    /// Claims up to `limit` due messages for `lease` milliseconds. Several workers (and processes) may
    /// call this at once: PostgreSQL skips rows another worker has locked, and the lease keeps a
    /// claimed row from being claimed again until it is settled or the lease runs out (a crash).
    public func claimOutbox(limit: Int, lease: Millis) async throws -> [OutboxItem] {
        try await pool.transaction { db in
            let now = Timestamps.now()
            let skipLocked = pool.kind == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let ids = try await db.raw(
                """
                SELECT id FROM outbox_messages
                WHERE status = 'queued' AND next_attempt_at <= \(bind: now) AND (lease_until IS NULL OR lease_until < \(bind: now))
                ORDER BY next_attempt_at, id LIMIT \(bind: limit)\(unsafeRaw: skipLocked)
                """
            ).all().map { try $0.decode(column: "id", as: String.self) }
            guard !ids.isEmpty else { return [] }
            let binds: [any Encodable & Sendable] = ids
            try await db.raw(
                """
                UPDATE outbox_messages SET lease_until = \(bind: now + lease), attempts = attempts + 1, last_attempt_at = \(bind: now)
                WHERE id IN (\(binds: binds))
                """
            ).run()
            return try await db.raw(
                """
                SELECT o.id, o.invitation_id, i.status AS invitation_status, i.expires_at, o.recipient, t.name AS tenant_name, o.attempts
                FROM outbox_messages o JOIN invitations i ON i.id = o.invitation_id JOIN tenants t ON t.id = o.tenant_id
                WHERE o.id IN (\(binds: binds)) ORDER BY o.next_attempt_at, o.id
                """
            ).all().map { row in
                OutboxItem(
                    id: try row.decode(column: "id", as: String.self),
                    invitationId: try row.decode(column: "invitation_id", as: String.self),
                    invitationStatus: try row.decode(column: "invitation_status", as: String.self),
                    expiresAt: try row.decode(column: "expires_at", as: Millis.self),
                    recipient: try row.decode(column: "recipient", as: String.self),
                    tenantName: try row.decode(column: "tenant_name", as: String.self),
                    attempts: try row.decode(column: "attempts", as: Int.self)
                )
            }
        }
    }

    /// Records the outcome of one delivery attempt.
    public func settleOutbox(id: String, outcome: OutboxOutcome) async throws {
        try await pool.transaction { db in
            let now = Timestamps.now()
            switch outcome {
            case .sent:
                try await db.raw(
                    "UPDATE outbox_messages SET status = 'sent', delivered_at = \(bind: now), lease_until = NULL, last_error = NULL WHERE id = \(bind: id)"
                ).run()
            case .retry(let error, let at):
                try await db.raw(
                    "UPDATE outbox_messages SET next_attempt_at = \(bind: at), lease_until = NULL, last_error = \(bind: error) WHERE id = \(bind: id)"
                ).run()
            case .failed(let error):
                try await db.raw(
                    "UPDATE outbox_messages SET status = 'failed', lease_until = NULL, last_error = \(bind: error) WHERE id = \(bind: id)"
                ).run()
            case .cancelled(let reason):
                try await db.raw(
                    "UPDATE outbox_messages SET status = 'cancelled', lease_until = NULL, last_error = \(bind: reason) WHERE id = \(bind: id)"
                ).run()
            }
        }
    }
}

/// What became of one delivery attempt.
public enum OutboxOutcome: Sendable, Equatable {
    case sent
    /// A temporary failure: try again at the given time.
    case retry(error: String, at: Millis)
    /// A permanent failure: never retried; visible on the user's invitation.
    case failed(error: String)
    /// Nothing to send any more (the invitation was accepted, superseded or expired).
    case cancelled(reason: String)
}
