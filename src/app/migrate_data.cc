#include "app/commands.h"

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/command_line.h"
#include "app/database.h"
#include "store/postgres/postgres_database.h"
#include "store/transfer/sqlite_to_postgres.h"

namespace authd::app {

int MigrateData(int argc, char** argv) {
  std::string to;
  std::vector<char*> rest = {argv[0]};
  for (int i = 2; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--to" && i + 1 < argc) {
      to = argv[++i];
    } else if (a.starts_with("--to=")) {
      to = std::string(a.substr(5));
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (!store::IsPostgresUrl(to)) {
    std::fprintf(stderr,
                 "authd migrate-data: --to postgres://user:password@host/db is required\n"
                 "(see authd --help and docs/deployment.md)\n");
    return 2;
  }
  config::Config cfg;
  std::vector<std::string> warnings;
  if (std::optional<int> exit =
          LoadConfig(static_cast<int>(rest.size()), rest.data(), cfg, warnings)) {
    return *exit;
  }
  for (const std::string& w : warnings) std::fprintf(stderr, "authd: config: %s\n", w.c_str());
  const config::StorageOptions& from = cfg.storage;
  if (store::IsPostgresUrl(from.database_url)) {
    std::fprintf(stderr,
                 "authd migrate-data: the source must be SQLite (storage.database_url "
                 "names PostgreSQL)\n");
    return 2;
  }
  const std::string path = SqlitePathOf(from);
  store::PostgresOptions target;
  target.url = to;
  target.connect_timeout_ms = static_cast<int>(from.postgres_connect_timeout_ms);
  // Large tables: one statement per row, but no single one should be cut.
  target.statement_timeout_ms = 600'000;
  std::fprintf(stderr, "authd migrate-data: copying sqlite:%s to %s\n", path.c_str(),
               store::RedactDatabaseUrl(to).c_str());
  auto report = store::CopySqliteToPostgres(path, target);
  if (!report.ok()) {
    const core::Error& e = report.error();
    // The debug text says more for database errors; the message for ours.
    const std::string& why = e.debug.empty() ? e.message : e.debug;
    std::fprintf(stderr, "authd migrate-data: failed, nothing was written: %s\n", why.c_str());
    return 1;
  }
  for (const auto& [table, rows] : report->tables) {
    std::printf("%-20s %lld rows\n", table.c_str(), static_cast<long long>(rows));
  }
  std::fprintf(stderr,
               "authd migrate-data: done. Start authd with storage.database_url set to the "
               "PostgreSQL URL and the same session.jwt_secret and mfa.encryption_key (the "
               "files jwt-secret and mfa-key of the data dir, if authd generated them).\n");
  return 0;
}

}  // namespace authd::app
