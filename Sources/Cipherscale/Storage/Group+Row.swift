import Foundation
import SQLKit

extension Group {
    /// A row of `directory_groups` read with ``SQLStore/groupColumns``, without roles or members.
    init(row: any SQLRow) throws {
        let mapping = try row.decode(column: "idp_mapping", as: String.self)
        self.init(
            id: try row.id("id"),
            name: try row.decode(column: "name", as: String.self),
            description: try row.decode(column: "description", as: String?.self),
            isDefault: try row.decode(column: "is_default", as: Bool.self),
            deleteable: try row.decode(column: "deleteable", as: Bool.self),
            maxDevices: try row.decode(column: "max_devices", as: Int?.self),
            isSamlDefaultGroup: try row.decode(column: "is_saml_default", as: Bool.self),
            idpMapping: (try? JSONDecoder().decode([String].self, from: Data(mapping.utf8))) ?? [],
            memberCount: try row.decode(column: "member_count", as: Int.self),
            createdAt: try row.decode(column: "created_at", as: Millis.self),
            updatedAt: try row.decode(column: "updated_at", as: Millis.self),
            roles: [],
            members: nil,
            externalId: try row.decode(column: "external_id", as: String?.self)
        )
    }
}
