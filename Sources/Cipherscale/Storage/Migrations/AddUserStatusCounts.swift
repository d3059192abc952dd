/// How many users of each tenant have each status, kept by triggers in the same transaction as
/// every insert, delete and status change, so a list filtered by status alone answers its exact
/// total from one row instead of counting up to a million index entries (`filter[status][eq]=active`).
///
/// Triggers rather than code: every path that changes a user's status (create, accept, deactivate,
/// reactivate, delete, the seeder, the command line) is counted without being named here.
///
/// PostgreSQL: a status change takes the tenant's count rows in one order (by status) before
/// changing two of them, so two changes moving users in opposite directions cannot deadlock.
enum AddUserStatusCounts {
    static let migration = Migration(name: "005_user_status_counts") { kind in
        switch kind {
        case .sqlite:
            return [
                """
                CREATE TABLE user_status_counts (
                    tenant_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    n BIGINT NOT NULL,
                    PRIMARY KEY (tenant_id, status)
                ) WITHOUT ROWID
                """,
                "INSERT INTO user_status_counts (tenant_id, status, n) SELECT tenant_id, status, COUNT(*) FROM users GROUP BY tenant_id, status",
                """
                CREATE TRIGGER user_status_count_insert AFTER INSERT ON users BEGIN
                    INSERT INTO user_status_counts (tenant_id, status, n) VALUES (new.tenant_id, new.status, 1)
                    ON CONFLICT (tenant_id, status) DO UPDATE SET n = n + 1;
                END
                """,
                """
                CREATE TRIGGER user_status_count_delete AFTER DELETE ON users BEGIN
                    UPDATE user_status_counts SET n = n - 1 WHERE tenant_id = old.tenant_id AND status = old.status;
                END
                """,
                """
                CREATE TRIGGER user_status_count_update AFTER UPDATE OF status ON users WHEN old.status IS NOT new.status BEGIN
                    UPDATE user_status_counts SET n = n - 1 WHERE tenant_id = old.tenant_id AND status = old.status;
                    INSERT INTO user_status_counts (tenant_id, status, n) VALUES (new.tenant_id, new.status, 1)
                    ON CONFLICT (tenant_id, status) DO UPDATE SET n = n + 1;
                END
                """,
            ]
        case .postgres:
            return [
                """
                CREATE TABLE user_status_counts (
                    tenant_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    n BIGINT NOT NULL,
                    PRIMARY KEY (tenant_id, status)
                )
                """,
                "INSERT INTO user_status_counts (tenant_id, status, n) SELECT tenant_id, status, COUNT(*) FROM users GROUP BY tenant_id, status",
                """
                CREATE FUNCTION user_status_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    INSERT INTO user_status_counts (tenant_id, status, n) VALUES (NEW.tenant_id, NEW.status, 1)
                    ON CONFLICT (tenant_id, status) DO UPDATE SET n = user_status_counts.n + 1;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE FUNCTION user_status_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    UPDATE user_status_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND status = OLD.status;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE FUNCTION user_status_count_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    PERFORM 1 FROM user_status_counts WHERE tenant_id = NEW.tenant_id ORDER BY status FOR UPDATE;
                    UPDATE user_status_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND status = OLD.status;
                    INSERT INTO user_status_counts (tenant_id, status, n) VALUES (NEW.tenant_id, NEW.status, 1)
                    ON CONFLICT (tenant_id, status) DO UPDATE SET n = user_status_counts.n + 1;
                    RETURN NULL;
                END $$
                """,
                "CREATE TRIGGER user_status_count_insert AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION user_status_count_insert()",
                "CREATE TRIGGER user_status_count_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION user_status_count_delete()",
                """
                CREATE TRIGGER user_status_count_update AFTER UPDATE OF status ON users FOR EACH ROW
                WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION user_status_count_update()
                """,
            ]
        }
    }
}
