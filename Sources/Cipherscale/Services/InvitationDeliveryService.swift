import Foundation
import Logging
import ServiceLifecycle

/// Settings of the outbox worker.
public struct DeliverySettings: Sendable {
    /// How often the worker looks for due messages.
    public var pollInterval: Duration = .seconds(1)
    /// Messages claimed per round (one SMTP connection each round).
    public var batchSize: Int = 50
    /// How long a claim lasts: a worker that dies mid-send releases its rows after this.
    public var lease: Millis = 120_000
    /// First retry delay; each further retry doubles it, up to ``maxRetryDelay``.
    public var retryBase: Millis = 30_000
    public var maxRetryDelay: Millis = 3_600_000
    /// Attempts before a transiently failing message is given up as failed.
    public var maxAttempts: Int = 12

    public init() {}

    /// The delay before the next attempt after `attempts` attempts.
    func retryDelay(afterAttempts attempts: Int) -> Millis {
        let exponent = min(max(attempts - 1, 0), 30)
        return min(maxRetryDelay, retryBase * (Millis(1) << Millis(exponent)))
    }
}

/// Delivers the invitation outbox: claims due rows, renders each message with its link, sends
/// them through the transport, and records the outcome. At-least-once: a row is marked sent only
/// after the transport accepted it, and a retry reuses the row's `Message-ID`.
public struct InvitationDeliveryService: Service {
    let store: DirectoryStore
    let tokens: InvitationTokens
    let message: InvitationMessage
    let transport: any MailTransport
    let settings: DeliverySettings
    let logger: Logger

    public init(
        store: DirectoryStore, tokens: InvitationTokens, message: InvitationMessage, transport: any MailTransport,
        settings: DeliverySettings, logger: Logger
    ) {
        self.store = store
        self.tokens = tokens
        self.message = message
        self.transport = transport
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        // On graceful shutdown the batch in progress finishes (its messages are settled, so none is
        // sent twice) and the worker stops: what is still queued waits in the outbox for the next start.
        // The pause between rounds is cut short by shutdown. When the task is cancelled (the service
        // group cancels every service once one fails) the worker ends at once, without logging the
        // cancellation as a failure; an unsettled claim is released when its lease runs out.
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                while !Task.isCancelled && !Task.isShuttingDownGracefully, try await deliverDue() == settings.batchSize {}
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.error("outbox round failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.pollInterval) }
            } catch {
                // The pause ends early only on shutdown or cancellation.
                return
            }
        }
    }

    /// One round: claims and settles up to a batch of due messages; answers how many it claimed.
    @discardableResult
    public func deliverDue() async throws -> Int {
        let items = try await store.claimOutbox(limit: settings.batchSize, lease: settings.lease)
        guard !items.isEmpty else { return 0 }
        let now = Timestamps.now()
        var sendable: [(OutboxItem, OutgoingMail)] = []
        for item in items {
            if item.invitationStatus != "pending" {
                try await store.settleOutbox(id: item.id, outcome: .cancelled(reason: "invitation \(item.invitationStatus)"))
            } else if item.expiresAt <= now {
                try await store.settleOutbox(id: item.id, outcome: .cancelled(reason: "invitation expired"))
            } else {
                let mail = message.render(
                    outboxId: item.id, recipient: item.recipient, tenantName: item.tenantName,
                    token: tokens.token(for: item.invitationId), expiresAt: item.expiresAt
                )
                sendable.append((item, mail))
            }
        }
        guard !sendable.isEmpty else { return items.count }
        let results = await transport.deliver(sendable.map(\.1))
        for ((item, _), result) in zip(sendable, results) {
            let outcome: OutboxOutcome
            switch result {
            case .success:
                outcome = .sent
            case .failure(.permanent(let reason)):
                logger.warning("invitation email refused", metadata: ["to": "\(item.recipient)", "reason": "\(reason)"])
                outcome = .failed(error: reason)
            case .failure(.transient(let reason)):
                if item.attempts >= settings.maxAttempts {
                    outcome = .failed(error: "gave up after \(item.attempts) attempts: \(reason)")
                } else {
                    let delay = settings.retryDelay(afterAttempts: item.attempts)
                    logger.info("invitation email will be retried", metadata: ["to": "\(item.recipient)", "in_ms": "\(delay)", "reason": "\(reason)"])
                    outcome = .retry(error: reason, at: Timestamps.now() + delay)
                }
            }
            try await store.settleOutbox(id: item.id, outcome: outcome)
        }
        return items.count
    }
}
