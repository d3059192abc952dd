import Logging

/// What every mail job does once its messages are rendered: send them in one batch and turn each
/// result into the job's outcome (done, retried with backoff, or failed for good).
enum MailJobs {
    static func deliver(
        _ sendable: [(index: Int, mail: OutgoingMail)], of jobs: [Job], into outcomes: inout [JobOutcome], transport: any MailTransport,
        retry: RetryPolicy, logger: Logger, now: Millis, what: String
    ) async {
        guard !sendable.isEmpty else { return }
        let results = await transport.deliver(sendable.map(\.mail))
        for ((index, _), result) in zip(sendable, results) {
            let job = jobs[index]
            switch result {
            case .success:
                outcomes[index] = .done
            case .failure(.permanent(let reason)):
                logger.warning("\(what) email refused", metadata: ["to": "\(job.recipient)", "reason": "\(reason)"])
                outcomes[index] = .failed(error: reason)
            case .failure(.transient(let reason)):
                outcomes[index] = retry.outcome(ofTransientFailure: reason, job: job, now: now)
                if case .retry(_, let at) = outcomes[index] {
                    logger.info(
                        "\(what) email will be retried", metadata: ["to": "\(job.recipient)", "in_ms": "\(at - now)", "reason": "\(reason)"]
                    )
                }
            }
        }
    }
}
