/// The first schema: tenants, API keys, roles, groups, users, memberships, invitations and their outbox, devices.
///
/// Ids are lower-case UUID text and timestamps are milliseconds since the epoch (BIGINT) on both
/// engines, so ordering, filtering and printing agree exactly. Every table carries `tenant_id`.
enum CreateDirectory {
    static let migration = Migration(name: "001_create_directory") { _ in
        [
            """
            CREATE TABLE tenants (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                user_count BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                prefix TEXT NOT NULL UNIQUE,
                secret_hash TEXT NOT NULL,
                read_only BOOLEAN NOT NULL,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT
            )
            """,
            "CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at)",
            """
            CREATE TABLE roles (
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                id TEXT PRIMARY KEY,
                type TEXT NOT NULL,
                name TEXT NOT NULL,
                description TEXT,
                deleteable BOOLEAN NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (tenant_id, type)
            )
            """,
            """
            CREATE TABLE directory_groups (
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                description TEXT,
                is_default BOOLEAN NOT NULL,
                deleteable BOOLEAN NOT NULL,
                max_devices BIGINT,
                is_saml_default BOOLEAN NOT NULL,
                idp_mapping TEXT NOT NULL,
                member_count BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (tenant_id, name_key)
            )
            """,
            "CREATE INDEX directory_groups_created ON directory_groups (tenant_id, created_at, id)",
            "CREATE INDEX directory_groups_updated ON directory_groups (tenant_id, updated_at, id)",
            """
            CREATE TABLE group_roles (
                tenant_id TEXT NOT NULL,
                group_id TEXT NOT NULL REFERENCES directory_groups(id) ON DELETE CASCADE,
                role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
                PRIMARY KEY (group_id, role_id)
            )
            """,
            """
            CREATE TABLE users (
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL,
                email_key TEXT NOT NULL,
                first_name TEXT,
                last_name TEXT,
                image TEXT,
                status TEXT NOT NULL,
                is_owner BOOLEAN NOT NULL,
                max_devices BIGINT,
                invitation_accepted BOOLEAN NOT NULL,
                last_connection BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (tenant_id, email_key)
            )
            """,
            // One index per sort order, each starting with the tenant and ending with the id.
            "CREATE INDEX users_created ON users (tenant_id, created_at, id)",
            "CREATE INDEX users_updated ON users (tenant_id, updated_at, id)",
            "CREATE INDEX users_email ON users (tenant_id, email_key, id)",
            "CREATE INDEX users_first_name ON users (tenant_id, first_name, id)",
            "CREATE INDEX users_last_name ON users (tenant_id, last_name, id)",
            "CREATE INDEX users_status ON users (tenant_id, status, created_at, id)",
            "CREATE INDEX users_last_connection ON users (tenant_id, last_connection, id)",
            """
            CREATE TABLE group_members (
                tenant_id TEXT NOT NULL,
                group_id TEXT NOT NULL REFERENCES directory_groups(id) ON DELETE CASCADE,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, group_id)
            )
            """,
            "CREATE INDEX group_members_group ON group_members (group_id, created_at, user_id)",
            """
            CREATE TABLE user_roles (
                tenant_id TEXT NOT NULL,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, role_id)
            )
            """,
            "CREATE INDEX user_roles_role ON user_roles (role_id, user_id)",
            """
            CREATE TABLE invitations (
                tenant_id TEXT NOT NULL,
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE,
                status TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                consumed_at BIGINT
            )
            """,
            "CREATE INDEX invitations_user ON invitations (user_id, created_at)",
            """
            CREATE TABLE outbox_messages (
                tenant_id TEXT NOT NULL,
                id TEXT PRIMARY KEY,
                invitation_id TEXT NOT NULL REFERENCES invitations(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                recipient TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                lease_until BIGINT,
                last_attempt_at BIGINT,
                delivered_at BIGINT,
                last_error TEXT,
                created_at BIGINT NOT NULL
            )
            """,
            // The delivery worker's queue: due messages in order.
            "CREATE INDEX outbox_messages_due ON outbox_messages (status, next_attempt_at)",
            "CREATE INDEX outbox_messages_invitation ON outbox_messages (invitation_id)",
            """
            CREATE TABLE server_secrets (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE devices (
                tenant_id TEXT NOT NULL,
                id TEXT PRIMARY KEY,
                user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
                name TEXT,
                hardware_id TEXT NOT NULL,
                app_version TEXT,
                posture TEXT,
                active BOOLEAN NOT NULL,
                last_connection BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (tenant_id, hardware_id)
            )
            """,
            "CREATE INDEX devices_user ON devices (user_id, created_at)",
            "CREATE INDEX devices_created ON devices (tenant_id, created_at, id)",
            "CREATE INDEX devices_updated ON devices (tenant_id, updated_at, id)",
            "CREATE INDEX devices_name ON devices (tenant_id, name, id)",
            "CREATE INDEX devices_last_connection ON devices (tenant_id, last_connection, id)",
        ]
    }
}
