import CipherscaleAPI
import Foundation
import OpenAPIRuntime

extension APIImplementation {
    public func getUserInvitation(_ input: Operations.GetUserInvitation.Input) async throws -> Operations.GetUserInvitation.Output {
        let context = try context()
        let (invitation, delivery) = try await services.invitations.latest(for: Validation.pathId(input.path.id, name: "id"), context: context)
        return .ok(.init(body: .json(.init(invitation, delivery: delivery, now: context.now))))
    }

    public func getInvitation(_ input: Operations.GetInvitation.Input) async throws -> Operations.GetInvitation.Output {
        let invitation = try await services.invitations.invitation(token: input.path.token)
        return .ok(
            .init(
                body: .json(
                    .init(
                        email: invitation.email, tenant: .init(id: invitation.tenantId.rawValue, name: invitation.tenantName), status: .pending,
                        expiresAt: Date(millis: invitation.expiresAt)
                    ))))
    }

    public func getInvitationAcceptPage(_ input: Operations.GetInvitationAcceptPage.Input) async throws -> Operations.GetInvitationAcceptPage.Output {
        do {
            let invitation = try await services.invitations.invitation(token: input.path.token)
            return .ok(.init(body: .html(HTTPBody(InvitationPages.form(invitation)))))
        } catch let error as DirectoryError {
            let page = HTTPBody(InvitationPages.problem(error))
            switch error.kind {
            case .notFound: return .notFound(.init(body: .html(page)))
            case .conflict: return .conflict(.init(body: .html(page)))
            case .gone: return .gone(.init(body: .html(page)))
            default: throw error
            }
        }
    }

    public func acceptInvitation(_ input: Operations.AcceptInvitation.Input) async throws -> Operations.AcceptInvitation.Output {
        switch input.body {
        case .json(let body):
            let user = try await services.invitations.accept(
                token: input.path.token, firstName: body.firstName, lastName: body.lastName, requestId: RequestScope.current.requestId
            )
            return .ok(.init(headers: .init(eTag: EntityTag.of(user)), body: .json(UserResource(user))))
        case .urlEncodedForm(let body):
            let user = try await services.invitations.accept(
                token: input.path.token, firstName: body.firstName, lastName: body.lastName, requestId: RequestScope.current.requestId
            )
            return .ok(.init(headers: .init(eTag: EntityTag.of(user)), body: .html(HTTPBody(InvitationPages.accepted(user)))))
        }
    }
}

extension Components.Schemas.Invitation {
    init(_ invitation: InvitationView, delivery: DeliveryState?, now: Millis) {
        let expired = InvitationRules.isExpired(invitation, now: now)
        self.init(
            id: invitation.id.rawValue, userId: invitation.userId.rawValue, email: invitation.email,
            status: expired ? .expired : StatusPayload(rawValue: invitation.status.rawValue) ?? .pending,
            createdAt: Date(millis: invitation.createdAt), expiresAt: Date(millis: invitation.expiresAt),
            acceptedAt: invitation.status == .accepted ? invitation.consumedAt.map(Date.init(millis:)) : nil,
            delivery: delivery.map {
                Components.Schemas.InvitationDelivery(
                    status: .init(rawValue: $0.status.rawValue) ?? .queued, attempts: $0.attempts,
                    lastAttemptAt: $0.lastAttemptAt.map(Date.init(millis:)), nextAttemptAt: $0.nextAttemptAt.map(Date.init(millis:)),
                    deliveredAt: $0.deliveredAt.map(Date.init(millis:)), lastError: $0.lastError
                )
            }
        )
    }
}
