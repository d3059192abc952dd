import CipherscaleAPI
import Foundation

extension APIImplementation {
    public func listDevices(_ input: Operations.ListDevices.Input) async throws -> Operations.ListDevices.Output {
        let page = try await services.devices.list(listQuery(.devices), context: context())
        return .ok(.init(body: .json(.init(page))))
    }

    public func registerDevice(_ input: Operations.RegisterDevice.Input) async throws -> Operations.RegisterDevice.Output {
        guard case .json(let body) = input.body else { throw DirectoryError.invalid("A JSON request body is required.") }
        let registration = DeviceRegistration(
            userId: body.userId, name: body.name, hardwareId: body.hardwareId, appVersion: body.appVersion,
            posture: try Self.postureJSON(body.posture)
        )
        let device = try await services.devices.register(registration, context: context())
        return .created(.init(body: .json(.init(device))))
    }

    public func getDevice(_ input: Operations.GetDevice.Input) async throws -> Operations.GetDevice.Output {
        .ok(.init(body: .json(.init(try await services.devices.device(Validation.pathId(input.path.id, name: "id"), context: context())))))
    }

    public func deleteDevice(_ input: Operations.DeleteDevice.Input) async throws -> Operations.DeleteDevice.Output {
        try await services.devices.delete(Validation.pathId(input.path.id, name: "id"), context: context())
        return .noContent(.init())
    }

    public func deactivateDevice(_ input: Operations.DeactivateDevice.Input) async throws -> Operations.DeactivateDevice.Output {
        .ok(.init(body: .json(.init(try await services.devices.deactivate(Validation.pathId(input.path.id, name: "id"), context: context())))))
    }

    public func reactivateDevice(_ input: Operations.ReactivateDevice.Input) async throws -> Operations.ReactivateDevice.Output {
        .created(.init(body: .json(.init(try await services.devices.reactivate(Validation.pathId(input.path.id, name: "id"), context: context())))))
    }

    public func deviceHeartbeat(_ input: Operations.DeviceHeartbeat.Input) async throws -> Operations.DeviceHeartbeat.Output {
        let id: DeviceID = try Validation.pathId(input.path.id, name: "id")
        var appVersion: String?
        var posture: String?
        if case .json(let body) = input.body {
            appVersion = body.appVersion
            posture = try Self.postureJSON(body.posture)
        }
        let device = try await services.devices.heartbeat(id, appVersion: appVersion, posture: posture, context: context())
        return .ok(.init(body: .json(.init(device))))
    }

    /// A posture object as stored: compact JSON with sorted keys.
    static func postureJSON<Posture: Encodable>(_ posture: Posture?) throws -> String? {
        guard let posture else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(posture), as: UTF8.self)
    }
}
