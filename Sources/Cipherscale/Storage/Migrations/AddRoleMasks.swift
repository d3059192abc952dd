import Foundation

/// Each user's effective roles (held directly or through any of their groups) as a bit mask, kept
/// by triggers in the same transaction as every change of direct roles, memberships and the roles
/// of groups; and per tenant, how many users hold each role.
///
/// A list filtered by role then tests one integer per user instead of two subqueries, and its exact
/// total is one row: counting the holders of a role granted through big groups took seconds at a
/// million users. Triggers rather than code, as for the status counts: every path that changes a
/// role is covered without being named here (the seeder switches them off for big loads and
/// rebuilds once; see ``rebuild(tenantId:)``).
///
/// Bits follow the system role types in privilege order (OWNER 1, ADMIN 2, DEFAULT 4, BASIC 8,
/// BILLING 16, AUDITOR 32, SUPPORT 64). Also: an index for the device list's status filters.
enum AddRoleMasks {
    /// The bit of a role from its `type` column (`r.type`).
    static func bit(of type: String) -> String {
        "(CASE \(type) " + RoleType.allCases.enumerated().map { "WHEN '\($0.element.rawValue)' THEN \(1 << $0.offset)" }.joined(separator: " ")
            + " ELSE 0 END)"
    }

    /// The mask of the user whose id is `user`: the OR (a sum of distinct bits) of every role they hold.
    static func mask(of user: String) -> String {
        """
        (SELECT COALESCE(SUM(b), 0) FROM (SELECT DISTINCT \(bit(of: "r.type")) AS b FROM roles r WHERE r.id IN (
            SELECT ur.role_id FROM user_roles ur WHERE ur.user_id = \(user)
            UNION SELECT gr.role_id FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id WHERE gm.user_id = \(user))) bits)
        """
    }

    /// The bits as a table `(bit)`.
    static let bits = "(" + RoleType.allCases.indices.map { "SELECT \(1 << $0) AS bit" }.joined(separator: " UNION ALL ") + ")"

    static let migration = Migration(name: "008_role_masks") { kind in
        [
            "ALTER TABLE users ADD COLUMN role_mask BIGINT NOT NULL DEFAULT 0",
            """
            CREATE TABLE user_role_counts (
                tenant_id TEXT NOT NULL,
                bit BIGINT NOT NULL,
                n BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, bit)
            )
            """,
            "CREATE INDEX devices_active ON devices (tenant_id, active, last_connection)",
        ] + rebuild(tenantId: nil) + triggers(kind)
    }

    /// Recomputes the masks and the counts from the roles, memberships and group roles (of one
    /// tenant, or all); run with the triggers off or on: the result is the same.
    static func rebuild(tenantId: String?) -> [String] {
        let users = tenantId.map { " WHERE tenant_id = '\($0)'" } ?? ""
        let counts = tenantId.map { " WHERE u.tenant_id = '\($0)'" } ?? ""
        return [
            "UPDATE users SET role_mask = \(mask(of: "users.id"))\(users)",
            "DELETE FROM user_role_counts\(users)",
            """
            INSERT INTO user_role_counts (tenant_id, bit, n)
            SELECT u.tenant_id, b.bit, COUNT(*) FROM users u JOIN \(bits) b ON (u.role_mask & b.bit) <> 0\(counts)
            GROUP BY u.tenant_id, b.bit
            """,
        ]
    }

    /// The names of the triggers, for switching them off during a bulk load.
    static let triggerNames = [
        ("user_roles", "user_roles_mask_insert"), ("user_roles", "user_roles_mask_delete"), ("group_members", "group_members_mask_insert"),
        ("group_members", "group_members_mask_delete"), ("group_roles", "group_roles_mask_insert"), ("group_roles", "group_roles_mask_delete"),
        ("users", "users_role_count_update"), ("users", "users_role_count_delete"),
    ]

    /// Adds `delta` to the tenant's count of each bit that `condition` selects; on PostgreSQL in bit
    /// order, so two changes never take the count rows in opposite orders.
    private static func countChange(kind: DatabaseKind, tenant: String, delta: String, condition: String) -> String {
        let truth = kind == .sqlite ? "" : "::int"
        let order = kind == .sqlite ? "" : " ORDER BY b.bit"
        return """
            INSERT INTO user_role_counts (tenant_id, bit, n)
            SELECT \(tenant), b.bit, \(delta.replacingOccurrences(of: "TRUTH", with: truth)) FROM \(bits) b WHERE \(condition)\(order)
            ON CONFLICT (tenant_id, bit) DO UPDATE SET n = user_role_counts.n + excluded.n
            """
    }

    static func triggers(_ kind: DatabaseKind) -> [String] {
        let changed = countChange(
            kind: kind, tenant: "NEW.tenant_id", delta: "((NEW.role_mask & b.bit) <> 0)TRUTH - ((OLD.role_mask & b.bit) <> 0)TRUTH",
            condition: "(NEW.role_mask & b.bit) <> (OLD.role_mask & b.bit)")
        let removed = countChange(kind: kind, tenant: "OLD.tenant_id", delta: "-1", condition: "(OLD.role_mask & b.bit) <> 0")
        switch kind {
        case .sqlite:
            func refresh(_ table: String, _ event: String, _ row: String) -> String {
                """
                CREATE TRIGGER \(table)_mask_\(event.lowercased()) AFTER \(event) ON \(table) BEGIN
                    UPDATE users SET role_mask = \(mask(of: "users.id")) WHERE id = \(row).user_id;
                END
                """
            }
            func refreshGroup(_ event: String, _ row: String) -> String {
                """
                CREATE TRIGGER group_roles_mask_\(event.lowercased()) AFTER \(event) ON group_roles BEGIN
                    UPDATE users SET role_mask = \(mask(of: "users.id")) WHERE id IN (SELECT user_id FROM group_members WHERE group_id = \(row).group_id);
                END
                """
            }
            return [
                refresh("user_roles", "INSERT", "new"), refresh("user_roles", "DELETE", "old"), refresh("group_members", "INSERT", "new"),
                refresh("group_members", "DELETE", "old"), refreshGroup("INSERT", "new"), refreshGroup("DELETE", "old"),
                """
                CREATE TRIGGER users_role_count_update AFTER UPDATE OF role_mask ON users WHEN OLD.role_mask <> NEW.role_mask BEGIN
                    \(changed);
                END
                """,
                """
                CREATE TRIGGER users_role_count_delete AFTER DELETE ON users WHEN OLD.role_mask <> 0 BEGIN
                    \(removed);
                END
                """,
            ]
        case .postgres:
            return [
                """
                CREATE FUNCTION user_role_mask(uid TEXT) RETURNS BIGINT LANGUAGE sql STABLE AS $$ SELECT \(mask(of: "uid")) $$
                """,
                """
                CREATE FUNCTION role_mask_refresh_user() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    IF TG_OP = 'DELETE' THEN
                        UPDATE users SET role_mask = user_role_mask(id) WHERE id = OLD.user_id;
                    ELSE
                        UPDATE users SET role_mask = user_role_mask(id) WHERE id = NEW.user_id;
                    END IF;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE FUNCTION role_mask_refresh_group() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    IF TG_OP = 'DELETE' THEN
                        UPDATE users SET role_mask = user_role_mask(id) WHERE id IN (SELECT user_id FROM group_members WHERE group_id = OLD.group_id);
                    ELSE
                        UPDATE users SET role_mask = user_role_mask(id) WHERE id IN (SELECT user_id FROM group_members WHERE group_id = NEW.group_id);
                    END IF;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE FUNCTION role_count_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    \(changed);
                    RETURN NULL;
                END $$
                """,
                """
                CREATE FUNCTION role_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    \(removed);
                    RETURN NULL;
                END $$
                """,
                "CREATE TRIGGER user_roles_mask_insert AFTER INSERT ON user_roles FOR EACH ROW EXECUTE FUNCTION role_mask_refresh_user()",
                "CREATE TRIGGER user_roles_mask_delete AFTER DELETE ON user_roles FOR EACH ROW EXECUTE FUNCTION role_mask_refresh_user()",
                "CREATE TRIGGER group_members_mask_insert AFTER INSERT ON group_members FOR EACH ROW EXECUTE FUNCTION role_mask_refresh_user()",
                "CREATE TRIGGER group_members_mask_delete AFTER DELETE ON group_members FOR EACH ROW EXECUTE FUNCTION role_mask_refresh_user()",
                "CREATE TRIGGER group_roles_mask_insert AFTER INSERT ON group_roles FOR EACH ROW EXECUTE FUNCTION role_mask_refresh_group()",
                "CREATE TRIGGER group_roles_mask_delete AFTER DELETE ON group_roles FOR EACH ROW EXECUTE FUNCTION role_mask_refresh_group()",
                """
                CREATE TRIGGER users_role_count_update AFTER UPDATE OF role_mask ON users FOR EACH ROW
                WHEN (OLD.role_mask <> NEW.role_mask) EXECUTE FUNCTION role_count_update()
                """,
                "CREATE TRIGGER users_role_count_delete AFTER DELETE ON users FOR EACH ROW WHEN (OLD.role_mask <> 0) EXECUTE FUNCTION role_count_delete()",
            ]
        }
    }
}
