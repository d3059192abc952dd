/// The audit log and the stored answers of `Idempotency-Key` requests.
///
/// Audit ids are UUIDv7, so ordering by id is ordering by time; every index starts with the tenant.
enum AddAuditAndIdempotency {
    static let migration = Migration(name: "002_audit_and_idempotency") { _ in
        [
            """
            CREATE TABLE audit_events (
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                id TEXT PRIMARY KEY,
                occurred_at BIGINT NOT NULL,
                actor_type TEXT NOT NULL,
                actor_id TEXT,
                action TEXT NOT NULL,
                target_type TEXT NOT NULL,
                target_id TEXT NOT NULL,
                related_type TEXT,
                related_id TEXT,
                changes TEXT NOT NULL,
                request_id TEXT
            )
            """,
            "CREATE INDEX audit_events_tenant ON audit_events (tenant_id, id)",
            "CREATE INDEX audit_events_target ON audit_events (tenant_id, target_id, id)",
            "CREATE INDEX audit_events_related ON audit_events (tenant_id, related_id, id)",
            "CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_id, id)",
            "CREATE INDEX audit_events_action ON audit_events (tenant_id, action, id)",
            """
            CREATE TABLE idempotency_keys (
                api_key_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
                idempotency_key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                status INTEGER,
                headers TEXT,
                body TEXT,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (api_key_id, idempotency_key)
            )
            """,
            "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)",
        ]
    }
}
