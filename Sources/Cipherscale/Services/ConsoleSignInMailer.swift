import Logging

/// The console's sign-in mail job: renders each link's message and sends the batch through the
/// same transport as invitations. A link already used or expired is cancelled, not sent.
public struct ConsoleSignInMailer: JobHandler {
    public let kind = SQLConsoleRepository.mailKind
    let console: any ConsoleRepository
    let tokens: InvitationTokens
    let message: InvitationMessage
    let transport: any MailTransport
    let retry: RetryPolicy
    let logger: Logger

    /// A mailer sending through `transport`.
    public init(
        console: any ConsoleRepository, tokens: InvitationTokens, message: InvitationMessage, transport: any MailTransport, retry: RetryPolicy,
        logger: Logger
    ) {
        self.console = console
        self.tokens = tokens
        self.message = message
        self.transport = transport
        self.retry = retry
        self.logger = logger
    }

    public func perform(_ jobs: [Job], now: Millis) async throws -> [JobOutcome] {
        let subjects = try await console.mailSubjects(jobs.map(\.subjectId))
        var outcomes = [JobOutcome](repeating: .cancelled(reason: "sign-in link missing"), count: jobs.count)
        var sendable: [(index: Int, mail: OutgoingMail)] = []
        for (index, job) in jobs.enumerated() {
            guard let subject = subjects[job.subjectId] else { continue }
            if subject.used {
                outcomes[index] = .cancelled(reason: "sign-in link used")
            } else if subject.expiresAt <= now {
                outcomes[index] = .cancelled(reason: "sign-in link expired")
            } else {
                let mail = message.renderSignIn(
                    outboxId: job.id, recipient: job.recipient, tenantName: subject.tenantName, token: tokens.signInToken(for: job.subjectId),
                    expiresAt: subject.expiresAt)
                sendable.append((index, mail))
            }
        }
        await MailJobs.deliver(sendable, of: jobs, into: &outcomes, transport: transport, retry: retry, logger: logger, now: now, what: "sign-in")
        return outcomes
    }
}
