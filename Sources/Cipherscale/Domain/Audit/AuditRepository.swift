/// Where the audit log is read. Entries are written by the other repositories, in the transaction
/// of the change they record.
public protocol AuditRepository: Sendable {
    /// One page of the tenant's events in `query`'s order (newest first), with the exact total.
    /// With `exactTotal` false the page's total is -1 (a reader paging by cursor: counting a large log costs).
    func events(_ query: ListQuery, exactTotal: Bool, context: OperationContext) async throws -> Page<AuditEvent>
}
