// The files authd keeps in its data dir: generated secrets (jwt-secret,
// mfa-key) written atomically, and the modes of every file it creates.
//
// A generated secret is written to a temporary file in the same directory,
// fsynced, renamed over its name and the directory fsynced: a crash or a
// full disk at any point leaves either no file or the whole secret, never
// an empty or truncated one that would stop every later start.
//
// Modes: authd creates every file owner-only (RestrictNewFileModes: umask
// 077, so SQLite's authd.db is 0600 and its -wal/-shm files, which SQLite
// gives the database file's mode, too). Files that already exist keep their
// mode; FileMode and OpenToGroupOrOthers let the caller log the truth and
// warn about exposed ones.
// Thread-safety: free functions; no shared state besides the process umask.
#ifndef AUTHD_CONFIG_DATA_DIR_H_
#define AUTHD_CONFIG_DATA_DIR_H_

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

#include "core/status.h"

namespace authd::config {

// Sets the process umask to 077: every file and directory created from now
// on (by authd or by SQLite) gets no group/other permissions.
void RestrictNewFileModes();

// Writes `contents` to `path` atomically with mode `mode`: temporary file
// "<path>.tmp-XXXXXX" in the same directory, every byte written, fsync,
// rename over `path`, fsync of the directory. On failure the temporary file
// is removed and `path` is left as it was. Errors: kInternal whose message
// names the file and the system error (e.g. "No space left on device").
core::Status WriteFileAtomically(const std::string& path, const std::string& contents,
                                 mode_t mode = 0600);

struct SecretFile {
  std::string secret;
  bool generated = false;  // true: written by this call
  mode_t mode = 0;         // the file's permission bits, as found or created
};

struct SecretFileOptions {
  // The secret's minimum length; a shorter non-empty file is refused.
  std::size_t min_length = 32;
  // An empty file (what a first start that failed half-way through writing
  // used to leave) is replaced by a new secret when true; refused when
  // false. The caller allows it only when nothing can have used the
  // secret (the SQLite database does not exist yet).
  bool replace_empty = false;
};

// The secret in `path` (its first line), or, if the file does not exist, a
// new one from `generate()` written with WriteFileAtomically (mode 0600).
// Errors: kInvalidArgument with a message saying what to do when the file
// is too short (or empty and not replaceable); kInternal when it cannot be
// read or written.
core::Result<SecretFile> LoadOrCreateSecret(const std::string& path,
                                            const std::function<std::string()>& generate,
                                            const SecretFileOptions& options);

// The permission bits of `path`, or nullopt if it does not exist.
std::optional<mode_t> FileMode(const std::string& path);

// Any permission for the group or others (a secret or the database they
// could read or replace).
inline bool OpenToGroupOrOthers(mode_t mode) { return (mode & 0077) != 0; }

// "0600".
std::string FormatMode(mode_t mode);

}  // namespace authd::config

#endif  // AUTHD_CONFIG_DATA_DIR_H_
