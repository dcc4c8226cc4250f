// `authd migrate-data --to postgres://... [options]`: copies the SQLite
// database the options name (as authd would open it) into an empty
// PostgreSQL database (store/transfer/sqlite_to_postgres.h).
#ifndef AUTHD_APP_MIGRATE_DATA_H_
#define AUTHD_APP_MIGRATE_DATA_H_

namespace authd::app {

// `argv[1]` is "migrate-data". Exit code: 0 on success, 1 on failure, 2 on
// usage errors.
int MigrateData(int argc, char** argv);

}  // namespace authd::app

#endif  // AUTHD_APP_MIGRATE_DATA_H_
