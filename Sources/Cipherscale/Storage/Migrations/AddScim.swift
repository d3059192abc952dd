/// What SCIM provisioning stores beyond the REST API's fields: the identity provider's own id of each
/// user and group (`externalId`), found by index because providers look resources up by it.
enum AddScim {
    static let migration = Migration(name: "010_scim") { _ in
        [
            "ALTER TABLE users ADD COLUMN external_id TEXT",
            "ALTER TABLE directory_groups ADD COLUMN external_id TEXT",
            "CREATE INDEX users_external_id ON users (tenant_id, external_id)",
            "CREATE INDEX directory_groups_external_id ON directory_groups (tenant_id, external_id)",
        ]
    }
}
