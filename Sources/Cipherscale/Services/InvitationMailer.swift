import Logging

/// The mail job: renders each invitation's message with its link and sends the batch through the
/// transport. A job whose invitation was accepted, replaced or has expired is cancelled, not sent;
/// a retry reuses the job's `Message-ID`.
public struct InvitationMailer: JobHandler {
    public let kind = "invitation"
    /// Reads each invitation's state at send time.
    let invitations: any InvitationRepository
    /// Rebuilds each link's token.
    let tokens: InvitationTokens
    /// Renders the message.
    let message: InvitationMessage
    /// Sends it (SMTP or `.eml` files).
    let transport: any MailTransport
    /// Backoff and giving up on transient failures.
    let retry: RetryPolicy
    let logger: Logger

    /// A mailer sending through `transport`.
    public init(
        invitations: any InvitationRepository, tokens: InvitationTokens, message: InvitationMessage, transport: any MailTransport,
        retry: RetryPolicy, logger: Logger
    ) {
        self.invitations = invitations
        self.tokens = tokens
        self.message = message
        self.transport = transport
        self.retry = retry
        self.logger = logger
    }

    public func perform(_ jobs: [Job], now: Millis) async throws -> [JobOutcome] {
        let subjects = try await invitations.mailSubjects(jobs.map { InvitationID(trusted: $0.subjectId) })
        var outcomes = [JobOutcome](repeating: .cancelled(reason: "invitation missing"), count: jobs.count)
        var sendable: [(index: Int, mail: OutgoingMail)] = []
        for (index, job) in jobs.enumerated() {
            guard let subject = subjects[InvitationID(trusted: job.subjectId)] else { continue }
            if subject.status != .pending {
                outcomes[index] = .cancelled(reason: "invitation \(subject.status.rawValue)")
            } else if subject.expiresAt <= now {
                outcomes[index] = .cancelled(reason: "invitation expired")
            } else {
                let mail = message.render(
                    outboxId: job.id, recipient: job.recipient, tenantName: subject.tenantName, token: tokens.token(for: job.subjectId),
                    expiresAt: subject.expiresAt
                )
                sendable.append((index, mail))
            }
        }
        await MailJobs.deliver(sendable, of: jobs, into: &outcomes, transport: transport, retry: retry, logger: logger, now: now, what: "invitation")
        return outcomes
    }
}
