/// Where the audit log is read. Entries are written by the other repositories, in the transaction
/// of the change they record.
public protocol AuditRepository: Sendable {
    /// One page of the tenant's events in `query`'s order (newest first), with the exact total.
    func events(_ query: ListQuery, context: OperationContext) async throws -> Page<AuditEvent>
}
