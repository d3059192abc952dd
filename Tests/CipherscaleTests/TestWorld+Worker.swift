import Foundation
import HTTPTypes
import Logging
import SQLKit
import Synchronization
import Testing

@testable import Cipherscale

extension TestWorld {
    /// An outbox worker over this world's database.
    func worker(_ transport: any MailTransport, retryBase: Millis = 60_000, maxAttempts: Int = 12) -> JobWorker {
        var settings = DeliverySettings()
        settings.retryBase = retryBase
        settings.maxAttempts = maxAttempts
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let mailer = InvitationMailer(
            invitations: SQLInvitationRepository(store: store), tokens: services.users.tokens,
            message: InvitationMessage(from: "Cipherscale Directory <invites@directory.example>", publicBaseURL: "https://directory.example/"),
            transport: transport, retry: settings.retryPolicy, logger: logger
        )
        return JobWorker(queue: SQLJobQueue(store: store), handler: mailer, settings: settings, clock: clock, logger: logger)
    }
}
