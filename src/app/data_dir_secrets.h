// The files of the data dir that must stay private: the generated secrets
// (the JWT secret, the MFA key) and the SQLite database.
#ifndef AUTHD_APP_DATA_DIR_SECRETS_H_
#define AUTHD_APP_DATA_DIR_SECRETS_H_

#include <optional>
#include <string>

#include "config/config.h"
#include "crypto/random.h"

namespace authd::app {

// A generated secret read from, or created in, <data dir>/<name>
// (config/data_dir.h), so it survives restarts. Logs where it came from and
// the file's real mode, warns when the group or others may read it; nullopt
// (logged) when it cannot be had.
std::optional<std::string> DataDirSecret(const config::StorageOptions& storage, const char* name,
                                         const char* what, const char* hint,
                                         crypto::SecureRandom& random);

// Warns about database files the group or others may read (files authd
// creates are 0600, but a database created by someone else keeps its mode,
// and SQLite gives its -wal/-shm files that mode).
void WarnAboutExposedDatabaseFiles(const std::string& path);

}  // namespace authd::app

#endif  // AUTHD_APP_DATA_DIR_SECRETS_H_
