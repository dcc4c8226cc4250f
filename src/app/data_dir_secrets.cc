#include "app/data_dir_secrets.h"

#include <sys/stat.h>

#include <filesystem>
#include <utility>

#include <spdlog/spdlog.h>

#include "app/database.h"
#include "config/data_dir.h"
#include "store/postgres/postgres_database.h"

namespace authd::app {

std::optional<std::string> DataDirSecret(const config::StorageOptions& storage, const char* name,
                                         const char* what, const char* hint,
                                         crypto::SecureRandom& random) {
  const std::string file = (std::filesystem::path(storage.data_dir) / name).string();
  config::SecretFileOptions options;
  // An empty file was never a usable secret; replacing it is safe as long
  // as no database can hold anything it protected.
  options.replace_empty = !store::IsPostgresUrl(storage.database_url) &&
                          !std::filesystem::exists(SqlitePathOf(storage));
  auto loaded = config::LoadOrCreateSecret(
      file, [&random] { return random.TokenBase64Url(48); }, options);
  if (!loaded.ok()) {
    const core::Error& e = loaded.error();
    spdlog::critical("{}: {}", what, e.debug.empty() ? e.message : e.debug);
    return std::nullopt;
  }
  spdlog::info("{} {} {} (mode {}); {}", what,
               loaded->generated ? "generated and stored in" : "loaded from", file,
               config::FormatMode(loaded->mode), hint);
  if (config::OpenToGroupOrOthers(loaded->mode)) {
    spdlog::warn("{}: {} has mode {}: other local users may read it; run chmod 600 {}", what, file,
                 config::FormatMode(loaded->mode), file);
  }
  return std::move(loaded->secret);
}

void WarnAboutExposedDatabaseFiles(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string file = path + suffix;
    std::optional<mode_t> mode = config::FileMode(file);
    if (mode && config::OpenToGroupOrOthers(*mode)) {
      spdlog::warn(
          "storage: {} has mode {}: other local users may read it (password hashes, "
          "sessions); run chmod 600 {}*",
          file, config::FormatMode(*mode), path);
    }
  }
}

}  // namespace authd::app
