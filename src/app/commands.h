// The commands authd's main dispatches to, one .cc each:
//   authd [options]                                serve.cc
//   authd migrate-data --to postgres://... [...]   migrate_data.cc
// Each takes main's argv and returns the process's exit code: 0 on success
// (and after --help / --version), 1 when the work fails, 2 on a bad option.
#ifndef AUTHD_APP_COMMANDS_H_
#define AUTHD_APP_COMMANDS_H_

namespace authd::app {

// Loads the configuration, resolves the data-dir secrets, opens the database,
// builds the services (app/services.h) and serves until SIGINT/SIGTERM
// (exit code 2 also for a bad template directory).
int Serve(int argc, char** argv);

// `argv[1]` is "migrate-data". Copies the SQLite database the options name
// (as Serve would open it) into an empty PostgreSQL database
// (store/transfer/sqlite_to_postgres.h).
int MigrateData(int argc, char** argv);

}  // namespace authd::app

#endif  // AUTHD_APP_COMMANDS_H_
