import Logging
import Metrics
import Tracing

/// What every mail job does once its messages are rendered: send them in one batch and turn each
/// result into the job's outcome (done, retried with backoff, or failed for good).
enum MailJobs {
    static func deliver(
        _ sendable: [(index: Int, mail: OutgoingMail)], of jobs: [Job], into outcomes: inout [JobOutcome], transport: any MailTransport,
        retry: RetryPolicy, logger: Logger, now: Millis, what: String
    ) async {
        guard !sendable.isEmpty else { return }
        // One span per message, in the trace of the request that queued it; a batch shares one
        // connection, so its messages' spans share the batch's duration.
        let spans = sendable.map { DirectoryTracing.startDelivery(of: jobs[$0.index], name: "mail deliver") }
        // Each message carries its delivery span's context in a `Traceparent` header, so a mail
        // system that records headers can be tied to the trace.
        let mails = zip(sendable, spans).map { item, span in
            guard let span, let traceParent = DirectoryTracing.traceparent(of: span.context) else { return item.mail }
            var mail = item.mail
            mail.data = "Traceparent: \(traceParent)\r\n" + mail.data
            return mail
        }
        let results = await transport.deliver(mails)
        for (((index, _), result), span) in zip(zip(sendable, results), spans) {
            let job = jobs[index]
            switch result {
            case .success:
                Counter(label: "cipherscale_mail_sent_total", dimensions: [("kind", job.kind)]).increment()
                outcomes[index] = .done
            case .failure(let failure):
                Counter(label: "cipherscale_mail_failed_total", dimensions: [("kind", job.kind)]).increment()
                outcomes[index] = failure.outcome(job: job, retry: retry, now: now, what: what, logger: logger)
                span?.recordError(failure)
                span?.setStatus(SpanStatus(code: .error))
            }
            span?.end()
        }
    }
}

extension MailDeliveryError {
    /// The job's outcome after this failure: failed for good, or retried with backoff.
    fileprivate func outcome(job: Job, retry: RetryPolicy, now: Millis, what: String, logger: Logger) -> JobOutcome {
        switch self {
        case .permanent(let reason):
            logger.warning("\(what) email refused", metadata: ["to": "\(job.recipient)", "reason": "\(reason)"])
            return .failed(error: reason)
        case .transient(let reason):
            let outcome = retry.outcome(ofTransientFailure: reason, job: job, now: now)
            if case .retry(_, let at) = outcome {
                logger.info("\(what) email will be retried", metadata: ["to": "\(job.recipient)", "in_ms": "\(at - now)", "reason": "\(reason)"])
            }
            return outcome
        }
    }
}
