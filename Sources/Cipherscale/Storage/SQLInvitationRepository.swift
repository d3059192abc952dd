import Foundation
import SQLKit

/// Invitations in SQL: found by the hash of their token, accepted with their user locked.
public struct SQLInvitationRepository: InvitationRepository {
    /// The shared store.
    let store: SQLStore

    /// A repository over `store`.
    public init(store: SQLStore) {
        self.store = store
    }

    private var pool: DatabasePool { store.pool }

    private static let invitationColumns =
        "i.id, i.user_id, u.email, i.tenant_id, t.name AS tenant_name, i.status, i.created_at, i.expires_at, i.consumed_at"

    private static func invitation(_ row: any SQLRow) throws -> InvitationView {
        InvitationView(
            id: InvitationID(trusted: try row.decode(column: "id", as: String.self)),
            userId: UserID(trusted: try row.decode(column: "user_id", as: String.self)),
            email: try row.decode(column: "email", as: String.self),
            tenantId: TenantID(trusted: try row.decode(column: "tenant_id", as: String.self)),
            tenantName: try row.decode(column: "tenant_name", as: String.self),
            status: InvitationState(rawValue: try row.decode(column: "status", as: String.self)) ?? .superseded,
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
    public func latest(for user: UserID, context: OperationContext) async throws -> (InvitationView, DeliveryState?) {
        let tenantId = context.tenantId.rawValue
        let userId = user.rawValue
        return try await pool.read { db in
            _ = try await store.loadUser(db, user, context: context)
            guard
                let row = try await db.raw(
                    """
                    SELECT \(unsafeRaw: Self.invitationColumns) FROM invitations i
                    JOIN users u ON u.id = i.user_id JOIN tenants t ON t.id = i.tenant_id
                    WHERE i.tenant_id = \(bind: tenantId) AND i.user_id = \(bind: userId)
                    ORDER BY i.created_at DESC, i.id DESC LIMIT 1
                    """
                ).first()
            else { throw DirectoryError.notFound("The user has no invitation.") }
            let invitation = try Self.invitation(row)
            let delivery = try await db.raw(
                """
                SELECT status, attempts, last_attempt_at, next_attempt_at, delivered_at, last_error FROM outbox_messages
                WHERE invitation_id = \(bind: invitation.id.rawValue) ORDER BY created_at DESC LIMIT 1
                """
            ).first().map { row in
                let status = DeliveryStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed
                return DeliveryState(
                    status: status,
                    attempts: try row.decode(column: "attempts", as: Int.self),
                    lastAttemptAt: try row.decode(column: "last_attempt_at", as: Millis?.self),
                    nextAttemptAt: status == .queued ? try row.decode(column: "next_attempt_at", as: Millis.self) : nil,
                    deliveredAt: try row.decode(column: "delivered_at", as: Millis?.self),
                    lastError: try row.decode(column: "last_error", as: String?.self)
                )
            }
            return (invitation, delivery)
        }
    }

    /// Accepts an invitation: the pending user becomes active with their names, and the token is used up.
    /// Unknown 404, used or superseded 409, expired 410.
    public func accept(tokenHash: String, firstName: String, lastName: String, requestId: String?, now: Millis) async throws -> User {
        try await pool.transaction { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT \(unsafeRaw: Self.invitationColumns) FROM invitations i
                    JOIN users u ON u.id = i.user_id JOIN tenants t ON t.id = i.tenant_id
                    WHERE i.token_hash = \(bind: tokenHash)\(unsafeRaw: store.lockClause(" FOR UPDATE OF i"))
                    """
                ).first()
            else { throw DirectoryError.notFound("No invitation has this token.") }
            let invitation = try Self.invitation(row)
            try InvitationRules.checkUsable(invitation, now: now)
            let context = OperationContext(tenantId: invitation.tenantId, actor: .invitation(invitation.id.rawValue), requestId: requestId, now: now)
            let user = try await store.lockUser(db, invitation.userId, tenantId: invitation.tenantId)
            try UserRules.checkCanAcceptInvitation(user)
            try await db.raw(
                """
                UPDATE users SET status = 'active', invitation_accepted = \(bind: true), first_name = \(bind: firstName),
                last_name = \(bind: lastName), updated_at = \(bind: now) WHERE id = \(bind: user.id.rawValue)
                """
            ).run()
            try await db.raw(
                "UPDATE invitations SET status = 'accepted', consumed_at = \(bind: now) WHERE id = \(bind: invitation.id.rawValue)"
            ).run()
            try await store.audit(
                db,
                [
                    AuditEntry(
                        .userAcceptInvitation, target: ("user", user.id.rawValue), related: ("invitation", invitation.id.rawValue),
                        changes: [
                            "status": AuditChange(.string(user.status.rawValue), .string("active")),
                            "firstName": AuditChange(AuditValue(user.firstName), .string(firstName)),
                            "lastName": AuditChange(AuditValue(user.lastName), .string(lastName)),
                        ]
                    )
                ], context: context)
            try await db.raw(
                """
                UPDATE outbox_messages SET status = 'cancelled', lease_until = NULL
                WHERE invitation_id = \(bind: invitation.id.rawValue) AND status = 'queued'
                """
            ).run()
            return try await store.loadUser(db, user.id, context: context)
        }
    }

    public func mailSubjects(_ ids: [InvitationID]) async throws -> [InvitationID: MailSubject] {
        guard !ids.isEmpty else { return [:] }
        let binds: [any Encodable & Sendable] = ids.map(\.rawValue)
        return try await pool.read { db in
            var subjects: [InvitationID: MailSubject] = [:]
            for row in try await db.raw(
                """
                SELECT i.id, i.status, i.expires_at, t.name AS tenant_name FROM invitations i JOIN tenants t ON t.id = i.tenant_id
                WHERE i.id IN (\(binds: binds))
                """
            ).all() {
                subjects[InvitationID(trusted: try row.decode(column: "id", as: String.self))] = MailSubject(
                    status: InvitationState(rawValue: try row.decode(column: "status", as: String.self)) ?? .superseded,
                    expiresAt: try row.decode(column: "expires_at", as: Millis.self),
                    tenantName: try row.decode(column: "tenant_name", as: String.self)
                )
            }
            return subjects
        }
    }
}
