import SQLKit

/// The tenant inside SQLite's search index, so a search's total is counted in the index alone.
///
/// Migration 004's FTS5 index held every tenant's users under the user row's rowid, so counting a
/// tenant's matches looked each match's row up to check its tenant (20,000 matches of a common
/// fragment: about 40 ms, of which the index itself took 3). Now an entry's rowid is
/// `tenant rowid × 2^40 + user rowid` (``SearchIndex``): one tenant's entries are one rowid range,
/// which FTS5 seeks to, so `MATCH … AND rowid BETWEEN` counts and lists only that tenant's matches
/// without reading a user row. The index's content is the view `users_search_rows`, which gives each
/// user that rowid, so `INSERT INTO users_search(users_search) VALUES('rebuild')` still rebuilds it
/// (after a `VACUUM`, which may renumber rowids).
///
/// A tenant's users leave the index before the tenant row goes (the delete trigger needs the
/// tenant's rowid). PostgreSQL's trigram indexes are unchanged.
enum AddTenantToUserSearch {
    static let migration = Migration(name: "006_tenant_in_user_search") { kind in
        guard kind == .sqlite else { return [] }
        let rowid = SearchIndex.rowid(of:)
        return [
            "DROP TRIGGER users_search_insert",
            "DROP TRIGGER users_search_delete",
            "DROP TRIGGER users_search_update",
            "DROP TABLE users_search",
            """
            CREATE VIEW users_search_rows AS
            SELECT \(rowid("u")) AS search_rowid, u.email_key, u.first_name, u.last_name FROM users u
            """,
            """
            CREATE VIRTUAL TABLE users_search USING fts5(
                email_key, first_name, last_name, content='users_search_rows', content_rowid='search_rowid', tokenize='trigram'
            )
            """,
            "INSERT INTO users_search(users_search) VALUES('rebuild')",
            """
            CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
                INSERT INTO users_search(rowid, email_key, first_name, last_name)
                VALUES (\(rowid("new")), new.email_key, new.first_name, new.last_name);
            END
            """,
            """
            CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
                INSERT INTO users_search(users_search, rowid, email_key, first_name, last_name)
                VALUES ('delete', \(rowid("old")), old.email_key, old.first_name, old.last_name);
            END
            """,
            """
            CREATE TRIGGER users_search_update AFTER UPDATE OF email_key, first_name, last_name ON users BEGIN
                INSERT INTO users_search(users_search, rowid, email_key, first_name, last_name)
                VALUES ('delete', \(rowid("old")), old.email_key, old.first_name, old.last_name);
                INSERT INTO users_search(rowid, email_key, first_name, last_name)
                VALUES (\(rowid("new")), new.email_key, new.first_name, new.last_name);
            END
            """,
            """
            CREATE TRIGGER tenants_delete_users BEFORE DELETE ON tenants BEGIN
                DELETE FROM users WHERE tenant_id = old.id;
            END
            """,
        ]
    }
}

/// How SQLite's search index (`users_search`) numbers its entries: one rowid range per tenant.
enum SearchIndex {
    /// An entry's rowid is `tenant rowid × tenantStride + user rowid`.
    static let tenantStride: Int64 = 1 << 40

    /// The index rowid of the user row `user` (a table alias, or `new`/`old` in a trigger).
    static func rowid(of user: String) -> String {
        "(SELECT t.rowid FROM tenants t WHERE t.id = \(user).tenant_id) * \(tenantStride) + \(user).rowid"
    }

    /// ` AND rowid >= … AND rowid < …`: the entries of the tenant `tenantId`, for a query on `users_search`.
    static func tenantRange(_ tenantId: String, table: String = "users_search") -> SQLQueryString {
        " AND \(unsafeRaw: table).rowid >= (SELECT rowid * \(unsafeRaw: String(tenantStride)) FROM tenants WHERE id = \(bind: tenantId))"
            + " AND \(unsafeRaw: table).rowid < (SELECT (rowid + 1) * \(unsafeRaw: String(tenantStride)) FROM tenants WHERE id = \(bind: tenantId))"
    }
}
