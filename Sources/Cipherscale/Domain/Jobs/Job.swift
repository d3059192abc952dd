/// A claimed job of the durable queue: what to do (`kind`), on what (`subjectId`), for whom.
public struct Job: Sendable, Equatable {
    /// The job's id (a mail's `Message-ID` is made from it, so a retry is recognisable).
    public var id: String
    /// What kind of work: `invitation` (mail) today.
    public var kind: String
    /// The thing the job is about (an invitation's id for mail).
    public var subjectId: String
    /// Where the result goes (a mail's recipient).
    public var recipient: String
    /// Attempts including this one.
    public var attempts: Int
    /// The W3C `traceparent` of the request that queued the job (when tracing was on), so that its
    /// delivery continues that trace.
    public var traceParent: String? = nil
}
