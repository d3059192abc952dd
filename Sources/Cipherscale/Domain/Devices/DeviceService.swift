/// The device operations of every door.
public struct DeviceService: Sendable {
    /// Where devices live.
    let devices: any DeviceRepository

    /// A service over `devices`.
    public init(devices: any DeviceRepository) {
        self.devices = devices
    }

    /// One page of devices.
    public func list(_ query: ListQuery, context: OperationContext) async throws -> Page<Device> {
        try await devices.list(query, context: context)
    }

    /// One device, or 404.
    public func device(_ id: DeviceID, context: OperationContext) async throws -> Device {
        try await devices.device(id, context: context)
    }

    /// Registers a device from a checked body.
    public func register(_ input: DeviceRegistration, context: OperationContext) async throws -> Device {
        try await devices.register(DeviceRules.registration(input), context: context)
    }

    /// A heartbeat: the device (and its user) connected now. An unknown device is 404 whatever the body.
    public func heartbeat(_ id: DeviceID, appVersion: String?, posture: String?, context: OperationContext) async throws -> Device {
        try await InputCheck.run(
            { () throws(DirectoryError) in try DeviceRules.checkHeartbeat(appVersion: appVersion, posture: posture) },
            resolving: { _ = try await devices.device(id, context: context) })
        return try await devices.heartbeat(id, appVersion: appVersion, posture: posture, context: context)
    }

    /// Disables a device.
    public func deactivate(_ id: DeviceID, context: OperationContext) async throws -> Device {
        try await devices.deactivate(id, context: context)
    }

    /// Re-enables a device.
    public func reactivate(_ id: DeviceID, context: OperationContext) async throws -> Device {
        try await devices.reactivate(id, context: context)
    }

    /// Deletes a device.
    public func delete(_ id: DeviceID, context: OperationContext) async throws {
        try await devices.delete(id, context: context)
    }
}
