// Opening the database the storage options name: the embedded SQLite file
// (one owner process: rate-limit windows in memory, session and user reads
// cached) or a PostgreSQL database shared by any number of processes
// (windows in the database, no cache).
#ifndef AUTHD_APP_DATABASE_H_
#define AUTHD_APP_DATABASE_H_

#include <memory>
#include <string>

#include "config/config.h"
#include "core/status.h"
#include "store/database.h"

namespace authd::app {

// SQLite: creates and migrates the file, releases outbox claims left by a
// run that crashed, puts read caches in front of the session and user
// stores (storage.sqlite_cache_entries), dropped whenever another process
// writes to the file. PostgreSQL: connects and migrates. Errors as
// store::SqliteDatabase::Open and store::PostgresDatabase::Open.
core::Result<std::unique_ptr<store::Database>> OpenDatabase(const config::StorageOptions& s);

// The SQLite file the storage options name (when they name no PostgreSQL):
// sqlite://<path>, or <data_dir>/authd.db.
std::string SqlitePathOf(const config::StorageOptions& s);

}  // namespace authd::app

#endif  // AUTHD_APP_DATABASE_H_
