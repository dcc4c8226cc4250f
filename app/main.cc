// authd: parses the command line and dispatches to a command of src/app/:
//   authd [options]                              serve (app/serve.h)
//   authd migrate-data --to postgres://... [...]  copy SQLite into PostgreSQL
//                                                (app/migrate_data.h)
// The object graph is built in one place, app/services.h.
#include <string_view>

#include "app/migrate_data.h"
#include "app/serve.h"

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "migrate-data") {
    return authd::app::MigrateData(argc, argv);
  }
  return authd::app::Serve(argc, argv);
}
