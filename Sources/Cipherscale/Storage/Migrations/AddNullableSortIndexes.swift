/// Index-backed sorts on nullable columns for SQLite.
///
/// The lists put NULLs after values ascending (before them descending). SQLite orders NULLs first
/// and can only use an index whose order it can follow, so these indexes lead with
/// `(column IS NULL)`, matching the ORDER BY that ``ListSQL`` writes for SQLite. PostgreSQL's
/// default indexes already have this NULL placement, so it needs none.
enum AddNullableSortIndexes {
    static let migration = Migration(name: "003_nullable_sort_indexes") { kind in
        guard kind == .sqlite else { return [] }
        return [
            "CREATE INDEX users_first_name_sort ON users (tenant_id, (first_name IS NULL), first_name, id)",
            "CREATE INDEX users_last_name_sort ON users (tenant_id, (last_name IS NULL), last_name, id)",
            "CREATE INDEX users_last_connection_sort ON users (tenant_id, (last_connection IS NULL), last_connection, id)",
            "CREATE INDEX devices_name_sort ON devices (tenant_id, (name IS NULL), name, id)",
            "CREATE INDEX devices_last_connection_sort ON devices (tenant_id, (last_connection IS NULL), last_connection, id)",
        ]
    }
}
