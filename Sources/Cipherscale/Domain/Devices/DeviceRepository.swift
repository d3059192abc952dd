/// Where devices live, confined to `context.tenantId`. Changes lock the device (and its owner
/// where a rule depends on them) and check ``DeviceRules`` on the locked values.
public protocol DeviceRepository: Sendable {
    /// One page of devices with the exact number of matches.
    func list(_ query: ListQuery, context: OperationContext) async throws -> Page<Device>
    /// One device with its owner, or 404.
    func device(_ id: DeviceID, context: OperationContext) async throws -> Device
    /// Registers a device for a user (the user's row is locked, so parallel registrations cannot pass the limit).
    func register(_ device: NewDevice, context: OperationContext) async throws -> Device
    /// Records a heartbeat with optional updates.
    func heartbeat(_ id: DeviceID, appVersion: String?, posture: String?, context: OperationContext) async throws -> Device
    /// Disables a device (idempotent).
    func deactivate(_ id: DeviceID, context: OperationContext) async throws -> Device
    /// Lets a deactivated device connect again.
    func reactivate(_ id: DeviceID, context: OperationContext) async throws -> Device
    /// Deletes a device for good.
    func delete(_ id: DeviceID, context: OperationContext) async throws
}
