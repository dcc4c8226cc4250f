// SessionStore: the persistence port for sessions, owned by the session
// domain and implemented by the adapters in store/.
//
// Safe for concurrent use. Every acknowledged write is durable. "Not found"
// is an empty optional or a false result, never an error.
#ifndef AUTHD_SESSION_SESSION_STORE_H_
#define AUTHD_SESSION_SESSION_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/status.h"
#include "session/session.h"

namespace authd::session {

// The new state written by a successful rotation.
struct Rotation {
  std::string expected_hash;  // the refresh hash the caller presented
  std::string new_hash;       // HMAC of the successor refresh token
  core::UnixMillis rotated_at = 0;
  SessionData data;
  core::UnixMillis expires_at = 0;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // Inserts `s`. In the same transaction, if the user already has
  // `max_per_user` or more sessions unexpired at `now`, deletes the least
  // recently active ones so that max_per_user - 1 remain before the insert
  // (max_per_user <= 0: no limit).
  virtual core::Status Create(const Session& s, int max_per_user, core::UnixMillis now) = 0;

  // The session with `id` in `tenant`, if it exists and expires after `now`.
  // An expired session is deleted and reported absent.
  virtual core::Result<std::optional<Session>> Get(const core::TenantId& tenant,
                                                   const core::SessionId& id,
                                                   core::UnixMillis now) = 0;

  // Compare-and-swap: iff the stored refresh_hash equals r.expected_hash,
  // sets refresh_hash = r.new_hash, prev_refresh_hash = r.expected_hash,
  // rotated_at, data, expires_at and last_active = r.rotated_at, and returns
  // true. Otherwise changes nothing and returns false. Atomic with respect
  // to every other call on the same session, in any process.
  virtual core::Result<bool> Rotate(const core::TenantId& tenant, const core::SessionId& id,
                                    const Rotation& r) = 0;

  // Deletes one session; true iff it existed.
  virtual core::Result<bool> Delete(const core::TenantId& tenant, const core::SessionId& id) = 0;

  // Deletes every session of `user` in every tenant (logout-all, password
  // change). Returns how many were deleted.
  virtual core::Result<int> DeleteAllForUser(const core::UserId& user) = 0;

  // Unexpired sessions of `user`, most recently active first.
  virtual core::Result<std::vector<Session>> ListForUser(const core::UserId& user,
                                                         core::UnixMillis now) = 0;
};

}  // namespace authd::session

#endif  // AUTHD_SESSION_SESSION_STORE_H_
