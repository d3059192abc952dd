#include "CSQLiteSettings.h"

// Declared here rather than through sqlite-nio's header, which its package does not export;
// the symbol comes from its vendored SQLite, linked into every binary that uses SQLiteNIO.
int sqlite_nio_sqlite3_db_config(void *db, int op, ...);

// SQLITE_DBCONFIG_ENABLE_QPSG in sqlite3.h.
#define CIPHERSCALE_DBCONFIG_ENABLE_QPSG 1007

int cipherscale_sqlite_enable_qpsg(void *db) {
    int enabled = 0;
    return sqlite_nio_sqlite3_db_config(db, CIPHERSCALE_DBCONFIG_ENABLE_QPSG, 1, &enabled);
}
