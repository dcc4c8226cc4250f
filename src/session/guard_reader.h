// GuardReader: the reads of the access-token guard (flows::SessionFlows::
// Authenticate) as one call, a session and the user it names, so that an
// adapter whose reads are round trips to a server can answer both with one
// statement (PostgreSQL: a JOIN). Adapters whose reads are cheap (the
// embedded database, the read caches) use NewStoreGuardReader, the two
// store calls the guard made before.
//
// Safe for concurrent use.
#ifndef AUTHD_SESSION_GUARD_READER_H_
#define AUTHD_SESSION_GUARD_READER_H_

#include <memory>
#include <optional>

#include "core/clock.h"
#include "core/ids.h"
#include "core/status.h"
#include "identity/user.h"
#include "identity/user_store.h"
#include "session/session.h"
#include "session/session_store.h"

namespace authd::session {

struct SessionAndUser {
  Session session;
  // The user session.user_id names, as UserStore::FindUserById(tenant, ...)
  // finds it; nullopt if that finds none.
  std::optional<identity::User> user;
};

class GuardReader {
 public:
  virtual ~GuardReader() = default;

  // The session `id` in `tenant` as SessionStore::Get(tenant, id, now)
  // returns it (nullopt if absent or expired; an expired one is deleted),
  // with its user in the same tenant.
  virtual core::Result<std::optional<SessionAndUser>> Read(const core::TenantId& tenant,
                                                           const core::SessionId& id,
                                                           core::UnixMillis now) = 0;
};

// SessionStore::Get, then UserStore::FindUserById. Errors of either
// (core::NonBlockingScope::WouldBlock() included) are returned unchanged.
// Borrows both stores, which must outlive it.
std::unique_ptr<GuardReader> NewStoreGuardReader(SessionStore& sessions,
                                                 identity::UserStore& users);

}  // namespace authd::session

#endif  // AUTHD_SESSION_GUARD_READER_H_
