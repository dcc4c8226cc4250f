// authd: parses the command line and dispatches to a command of src/app/
// (app/commands.h): `authd [options]` serves, `authd migrate-data --to
// postgres://... [...]` copies SQLite into PostgreSQL.
// The object graph is built in one place, app/services.h.
#include <string_view>

#include "app/commands.h"

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "migrate-data") {
    return authd::app::MigrateData(argc, argv);
  }
  return authd::app::Serve(argc, argv);
}
