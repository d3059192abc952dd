#ifndef CSQLITE_SETTINGS_H
#define CSQLITE_SETTINGS_H

/// Turns on SQLite's query planner stability guarantee (SQLITE_DBCONFIG_ENABLE_QPSG) for the
/// connection `db` (a `sqlite3 *` of the SQLite that sqlite-nio vendors). Returns SQLite's result code.
///
/// `sqlite3_db_config` is variadic, and Swift cannot call variadic C functions: hence this file.
int cipherscale_sqlite_enable_qpsg(void *db);

#endif
