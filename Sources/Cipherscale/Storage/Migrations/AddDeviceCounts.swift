/// How many devices of each tenant are active and how many deactivated, kept by triggers in the
/// same transaction as every insert, delete and (de)activation, so the device list's status filters
/// answer their exact totals without counting hundreds of thousands of rows: Deactivated is one
/// counter, Offline is the active counter minus the Online devices (those seen within the online
/// window, a range of the last-connection index; time moves devices from Online to Offline, so
/// Online itself cannot be a counter).
enum AddDeviceCounts {
    static let migration = Migration(name: "009_device_counts") { kind in
        let table = [
            """
            CREATE TABLE device_counts (
                tenant_id TEXT NOT NULL,
                active BOOLEAN NOT NULL,
                n BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, active)
            )
            """,
            "INSERT INTO device_counts (tenant_id, active, n) SELECT tenant_id, active, COUNT(*) FROM devices GROUP BY tenant_id, active",
        ]
        switch kind {
        case .sqlite:
            return table + [
                """
                CREATE TRIGGER device_count_insert AFTER INSERT ON devices BEGIN
                    INSERT INTO device_counts (tenant_id, active, n) VALUES (new.tenant_id, new.active, 1)
                    ON CONFLICT (tenant_id, active) DO UPDATE SET n = n + 1;
                END
                """,
                """
                CREATE TRIGGER device_count_delete AFTER DELETE ON devices BEGIN
                    UPDATE device_counts SET n = n - 1 WHERE tenant_id = old.tenant_id AND active = old.active;
                END
                """,
                """
                CREATE TRIGGER device_count_update AFTER UPDATE OF active ON devices WHEN old.active IS NOT new.active BEGIN
                    UPDATE device_counts SET n = n - 1 WHERE tenant_id = old.tenant_id AND active = old.active;
                    INSERT INTO device_counts (tenant_id, active, n) VALUES (new.tenant_id, new.active, 1)
                    ON CONFLICT (tenant_id, active) DO UPDATE SET n = n + 1;
                END
                """,
            ]
        case .postgres:
            return table + [
                """
                CREATE FUNCTION device_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    INSERT INTO device_counts (tenant_id, active, n) VALUES (NEW.tenant_id, NEW.active, 1)
                    ON CONFLICT (tenant_id, active) DO UPDATE SET n = device_counts.n + 1;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE FUNCTION device_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    UPDATE device_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND active = OLD.active;
                    RETURN NULL;
                END $$
                """,
                // Both rows are taken in one order (deactivated first), so two changes in opposite
                // directions cannot deadlock.
                """
                CREATE FUNCTION device_count_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    PERFORM 1 FROM device_counts WHERE tenant_id = NEW.tenant_id ORDER BY active FOR UPDATE;
                    UPDATE device_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND active = OLD.active;
                    INSERT INTO device_counts (tenant_id, active, n) VALUES (NEW.tenant_id, NEW.active, 1)
                    ON CONFLICT (tenant_id, active) DO UPDATE SET n = device_counts.n + 1;
                    RETURN NULL;
                END $$
                """,
                "CREATE TRIGGER device_count_insert AFTER INSERT ON devices FOR EACH ROW EXECUTE FUNCTION device_count_insert()",
                "CREATE TRIGGER device_count_delete AFTER DELETE ON devices FOR EACH ROW EXECUTE FUNCTION device_count_delete()",
                """
                CREATE TRIGGER device_count_update AFTER UPDATE OF active ON devices FOR EACH ROW
                WHEN (OLD.active IS DISTINCT FROM NEW.active) EXECUTE FUNCTION device_count_update()
                """,
            ]
        }
    }
}
