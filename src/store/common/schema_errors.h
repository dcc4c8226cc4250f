// Errors every persistent adapter reports the same way.
#ifndef AUTHD_STORE_COMMON_SCHEMA_ERRORS_H_
#define AUTHD_STORE_COMMON_SCHEMA_ERRORS_H_

#include <string>

#include "core/status.h"

namespace authd::store {

// The database records schema version `found`, above `latest`, the newest
// this binary knows: code DATABASE_SCHEMA_TOO_NEW, with an operator-facing
// message (a startup error, never sent to a client).
inline core::Error SchemaTooNew(int found, int latest) {
  std::string text = "database schema version " + std::to_string(found) +
                     " is newer than this authd supports (" + std::to_string(latest) +
                     "); run a newer authd or restore a matching backup";
  core::Error e = core::Internal(text);
  e.code = "DATABASE_SCHEMA_TOO_NEW";
  e.message = std::move(text);
  return e;
}

}  // namespace authd::store

#endif  // AUTHD_STORE_COMMON_SCHEMA_ERRORS_H_
