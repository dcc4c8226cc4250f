#include "store/common/migrations.h"

#include <algorithm>
#include <string>

namespace authd::store {
namespace {

core::Error SchemaTooNew(int found, int latest) {
  std::string text = "database schema version " + std::to_string(found) +
                     " is newer than this authd supports (" + std::to_string(latest) +
                     "); run a newer authd or restore a matching backup";
  core::Error e = core::Internal(text);
  e.code = "DATABASE_SCHEMA_TOO_NEW";
  e.message = std::move(text);
  return e;
}

}  // namespace

int LatestVersion(std::span<const Migration> migrations) {
  int latest = 0;
  for (const Migration& m : migrations) latest = std::max(latest, m.version);
  return latest;
}

core::Result<int> ApplyPending(std::span<const Migration> migrations, int current,
                               const std::function<core::Status(const Migration&)>& apply) {
  if (current > LatestVersion(migrations)) {
    return SchemaTooNew(current, LatestVersion(migrations));
  }
  int version = current;
  for (const Migration& m : migrations) {
    if (m.version <= version) continue;
    if (core::Status s = apply(m); !s.ok()) {
      core::Error e = s.error();
      e.debug = "migration " + std::to_string(m.version) + "_" + m.name + ": " + e.debug;
      return e;
    }
    version = m.version;
  }
  return version;
}

}  // namespace authd::store
