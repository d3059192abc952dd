import SQLKit

extension UserRecord {
    /// A user row read with ``SQLStore/userColumns``.
    init(row: any SQLRow) throws {
        self.init(
            id: UserID(trusted: try row.decode(column: "id", as: String.self)),
            email: try row.decode(column: "email", as: String.self),
            firstName: try row.decode(column: "first_name", as: String?.self),
            lastName: try row.decode(column: "last_name", as: String?.self),
            image: try row.decode(column: "image", as: String?.self),
            status: UserStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            isOwner: try row.decode(column: "is_owner", as: Bool.self),
            maxDevices: try row.decode(column: "max_devices", as: Int?.self),
            lastConnection: try row.decode(column: "last_connection", as: Millis?.self),
            createdAt: try row.decode(column: "created_at", as: Millis.self),
            updatedAt: try row.decode(column: "updated_at", as: Millis.self),
            externalId: try row.decode(column: "external_id", as: String?.self)
        )
    }
}
