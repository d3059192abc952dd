/// Substring search on users from an index instead of a scan of the tenant.
///
/// SQLite: an FTS5 table with the trigram tokenizer over the user's email, first and last name, kept
/// in step by triggers and keyed by the user row's rowid (external content: the text is not stored
/// twice). After a `VACUUM`, which may renumber rowids, run
/// `INSERT INTO users_search(users_search) VALUES('rebuild')`.
///
/// PostgreSQL: `pg_trgm` GIN indexes on the same expressions the search compares. Creating the
/// extension needs a role allowed to (it is a trusted extension, so the database owner may); where
/// that is refused the migration still applies, and search keeps working as a scan.
enum AddUserSearchIndexes {
    static let migration = Migration(name: "004_user_search_indexes") { kind in
        switch kind {
        case .sqlite:
            return [
                """
                CREATE VIRTUAL TABLE users_search USING fts5(
                    email_key, first_name, last_name, content='users', content_rowid='rowid', tokenize='trigram'
                )
                """,
                "INSERT INTO users_search(users_search) VALUES('rebuild')",
                """
                CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
                    INSERT INTO users_search(rowid, email_key, first_name, last_name)
                    VALUES (new.rowid, new.email_key, new.first_name, new.last_name);
                END
                """,
                """
                CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
                    INSERT INTO users_search(users_search, rowid, email_key, first_name, last_name)
                    VALUES ('delete', old.rowid, old.email_key, old.first_name, old.last_name);
                END
                """,
                """
                CREATE TRIGGER users_search_update AFTER UPDATE OF email_key, first_name, last_name ON users BEGIN
                    INSERT INTO users_search(users_search, rowid, email_key, first_name, last_name)
                    VALUES ('delete', old.rowid, old.email_key, old.first_name, old.last_name);
                    INSERT INTO users_search(rowid, email_key, first_name, last_name)
                    VALUES (new.rowid, new.email_key, new.first_name, new.last_name);
                END
                """,
            ]
        case .postgres:
            return [
                """
                DO $$ BEGIN
                    CREATE EXTENSION IF NOT EXISTS pg_trgm;
                EXCEPTION WHEN OTHERS THEN
                    RAISE NOTICE 'pg_trgm is not available (%); user search will scan', SQLERRM;
                END $$
                """,
                // The operator class is named with the extension's schema, which need not be on the search path.
                """
                DO $$ DECLARE trgm text; BEGIN
                    SELECT quote_ident(n.nspname) INTO trgm FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                    WHERE e.extname = 'pg_trgm';
                    IF trgm IS NOT NULL THEN
                        EXECUTE format('CREATE INDEX users_search_email ON users USING gin (lower(email_key) %s.gin_trgm_ops)', trgm);
                        EXECUTE format('CREATE INDEX users_search_first_name ON users USING gin (lower(first_name) %s.gin_trgm_ops)', trgm);
                        EXECUTE format('CREATE INDEX users_search_last_name ON users USING gin (lower(last_name) %s.gin_trgm_ops)', trgm);
                    END IF;
                END $$
                """,
            ]
        }
    }
}
