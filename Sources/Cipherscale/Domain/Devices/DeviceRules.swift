import Foundation

/// The rules on devices, as pure functions of values. `RulesTests` checks each without a database.
public enum DeviceRules {
    /// The largest posture object accepted, serialised.
    public static let maxPostureBytes = 16 * 1024

    /// A device's status: Deactivated when not active, Online within `window` of its last
    /// heartbeat, Offline otherwise. Lists filter and sort with the same rule.
    public static func status(active: Bool, lastConnection: Millis?, now: Millis, window: Millis) -> DeviceStatus {
        guard active else { return .deactivated }
        return (lastConnection ?? .min) >= now - window ? .online : .offline
    }

    /// The user's device limit: their own `maxDevices`, else the largest of their groups', else none.
    public static func limit(own: Int?, largestOfGroups: Int?) -> Int? {
        own ?? largestOfGroups
    }

    /// A user may register a device while not deactivated and below their limit (every registered
    /// device counts, deactivated ones too, until deleted).
    public static func checkCanRegister(owner: UserRecord, devices: Int, limit: Int?) throws(DirectoryError) {
        if owner.status == .inactive { throw DirectoryError.forbidden("The user is deactivated and cannot register devices.") }
        if let limit, devices >= limit {
            throw DirectoryError.conflict("The user already has \(devices) devices; their limit is \(limit). Delete a device first.")
        }
    }

    /// A deactivated device sends no heartbeats.
    public static func checkCanHeartbeat(_ device: Device) throws(DirectoryError) {
        guard device.active else { throw DirectoryError.conflict("The device is deactivated.") }
    }

    /// A deactivated device comes back only while its owner exists and is not deactivated.
    public static func checkCanReactivate(_ device: Device, owner: UserRecord?) throws(DirectoryError) {
        guard !device.active else { throw DirectoryError.conflict("The device is active already.") }
        guard let owner else { throw DirectoryError.conflict("The device's owner was deleted.") }
        guard owner.status != .inactive else {
            throw DirectoryError.conflict("The device's owner is deactivated; reactivate the user first.")
        }
    }

    /// The hardware id is unique in a tenant.
    public static let hardwareIdTaken = DirectoryError.conflict(
        "A device with this hardwareId is already registered.", [FieldError(.body(field: "hardwareId"), "already registered")]
    )

    /// Checks a registration and gives its canonical form (trimmed name and hardware id).
    public static func registration(_ input: DeviceRegistration) throws(DirectoryError) -> NewDevice {
        var errors: [FieldError] = []
        let user = UserID(input.userId)
        if user == nil { errors.append(FieldError(.body(field: "userId"), "'\(input.userId)' is not a UUID")) }
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let hardwareId = input.hardwareId.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { errors.append(FieldError(.body(field: "name"), "must not be empty")) }
        if hardwareId.isEmpty { errors.append(FieldError(.body(field: "hardwareId"), "must not be empty")) }
        Validation.checkLength(name, limit: 200, field: "name", errors: &errors)
        Validation.checkLength(hardwareId, limit: 200, field: "hardwareId", errors: &errors)
        Validation.checkLength(input.appVersion, limit: 100, field: "appVersion", errors: &errors)
        checkPosture(input.posture, errors: &errors)
        guard errors.isEmpty, let user else { throw DirectoryError.invalid("The device is not valid.", errors) }
        return NewDevice(userId: user, name: name, hardwareId: hardwareId, appVersion: input.appVersion, posture: input.posture)
    }

    /// Checks a heartbeat's optional updates.
    public static func checkHeartbeat(appVersion: String?, posture: String?) throws(DirectoryError) {
        var errors: [FieldError] = []
        Validation.checkLength(appVersion, limit: 100, field: "appVersion", errors: &errors)
        checkPosture(posture, errors: &errors)
        if !errors.isEmpty { throw DirectoryError.invalid("The heartbeat is not valid.", errors) }
    }

    private static func checkPosture(_ posture: String?, errors: inout [FieldError]) {
        if let posture, posture.utf8.count > maxPostureBytes {
            errors.append(FieldError(.body(field: "posture"), "must be at most \(maxPostureBytes) bytes of JSON"))
        }
    }
}
