import CipherscaleAPI
import CipherscaleClient
import Foundation

extension TableColumns<UserResource> {
    /// id, email, name, status, roles (types), groups (names).
    static var users: TableColumns {
        TableColumns(headers: ["ID", "EMAIL", "NAME", "STATUS", "ROLES", "GROUPS"]) { user in
            let name = [user.firstName, user.lastName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return [
                user.id, user.email ?? "", name, user.status.rawValue, user.roles.map(\._type.rawValue).joined(separator: ","),
                user.groups.map(\.name).joined(separator: ","),
            ]
        }
    }
}

extension TableColumns<Components.Schemas.Group> {
    /// id, name, member count, roles (types), description.
    static var groups: TableColumns {
        TableColumns(headers: ["ID", "NAME", "USERS", "ROLES", "DESCRIPTION"]) { group in
            [group.id, group.name, "\(group.userCount)", group.roles.map(\._type.rawValue).joined(separator: ","), group.description ?? ""]
        }
    }
}

extension TableColumns<Components.Schemas.Role> {
    /// id, type, name, description.
    static var roles: TableColumns {
        TableColumns(headers: ["ID", "TYPE", "NAME", "DESCRIPTION"]) { role in
            [role.id, role._type.rawValue, role.name, role.description ?? ""]
        }
    }
}

extension TableColumns<Components.Schemas.Device> {
    /// id, name, status, owner's email, hardware id, app version, last connection.
    static var devices: TableColumns {
        TableColumns(headers: ["ID", "NAME", "STATUS", "USER", "HARDWARE ID", "APP VERSION", "LAST CONNECTION"]) { device in
            [
                device.id, device.name ?? "", device.status.rawValue, device.user?.email ?? device.user?.id ?? "", device.hardwareId,
                device.appVersion ?? "", device.lastConnection.map(CipherscaleClient.timestamp) ?? "",
            ]
        }
    }
}

extension TableColumns<Components.Schemas.AuditEvent> {
    /// when, action, target, actor, request id.
    static var auditEvents: TableColumns {
        TableColumns(headers: ["OCCURRED AT", "ACTION", "TARGET", "ACTOR", "REQUEST ID"]) { event in
            [
                CipherscaleClient.timestamp(event.occurredAt), event.action, "\(event.target._type):\(event.target.id)",
                event.actor.id.map { "\(event.actor._type.rawValue):\($0)" } ?? event.actor._type.rawValue, event.requestId ?? "",
            ]
        }
    }
}
