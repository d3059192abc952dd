/// PostgreSQL tells every listening server process when any API key changes (a revocation, by any
/// process: another server, the console, the command line), so that each can keep recently
/// authenticated keys in memory (``PrincipalCache``) and still refuse a revoked key on the next
/// request. A statement-level trigger notifies the channel `cipherscale_api_keys` once per changing
/// statement, at commit. SQLite has no notifications; its servers read the key on every request.
enum AddKeyChangeNotifications {
    static let channel = "cipherscale_api_keys"

    static let migration = Migration(name: "013_key_change_notifications") { kind in
        guard kind == .postgres else { return [] }
        return [
            """
            CREATE OR REPLACE FUNCTION cipherscale_api_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(channel)', '');
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE ON api_keys
            FOR EACH STATEMENT EXECUTE FUNCTION cipherscale_api_keys_changed()
            """,
        ]
    }
}
