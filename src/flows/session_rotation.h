// SessionRotation: the one place a session's refresh token is replaced,
// used by refresh (SessionFlows) and by the MFA upgrade (SecondFactor).
//
// Rotation is a compare-and-swap on the session's refresh hash, so of any
// number of concurrent rotations of one token (on any connection, in any
// process sharing the database) exactly one wins. The successor pair is
// derived from the hash it replaces (TokenService::MintSuccessor), so
// within the grace window a retry of the replaced token can be given the
// same pair again.
// Thread-safety: safe for concurrent use; runs database calls.
#ifndef AUTHD_FLOWS_SESSION_ROTATION_H_
#define AUTHD_FLOWS_SESSION_ROTATION_H_

#include <optional>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "flows/auth_result.h"
#include "session/session_store.h"
#include "session/token_service.h"

namespace authd::flows {

class SessionRotation {
 public:
  SessionRotation(session::SessionStore& sessions, const session::TokenService& tokens)
      : sessions_(sessions), tokens_(tokens) {}

  // Swaps in the successor of `expected_hash` for `s` as the caller
  // changed it (data, expires_at are stored with it). The result holds the
  // new pair and `s` as now stored; nullopt if another rotation replaced
  // `expected_hash` first (read the session again).
  core::Result<std::optional<AuthResult>> Rotate(session::Session s,
                                                 const std::string& expected_hash,
                                                 core::UnixMillis now) const;

  // `presented_hash` is not the session's current refresh hash: within
  // the grace window after the last rotation, and if it is the hash that
  // rotation replaced, the pair that rotation minted. nullopt otherwise:
  // a replay of an old token, which the caller treats as theft.
  std::optional<AuthResult> ReplayWithinGrace(const session::Session& s,
                                              const std::string& presented_hash,
                                              core::UnixMillis now) const;

 private:
  session::SessionStore& sessions_;
  const session::TokenService& tokens_;
};

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_SESSION_ROTATION_H_
