#include "flows/session_rotation.h"

#include <utility>

#include "crypto/hmac.h"

namespace authd::flows {

core::Result<std::optional<AuthResult>> SessionRotation::Rotate(session::Session s,
                                                                const std::string& expected_hash,
                                                                core::UnixMillis now) const {
  AuthResult result;
  result.tokens = tokens_.MintSuccessor(s, expected_hash, now / 1000);
  session::Rotation rot;
  rot.expected_hash = expected_hash;
  rot.new_hash = tokens_.RefreshHash(result.tokens.refresh_token);
  rot.rotated_at = now;
  rot.data = s.data;
  rot.expires_at = s.expires_at;
  auto swapped = sessions_.Rotate(s.tenant_id, s.id, rot);
  if (!swapped.ok()) return swapped.error();
  if (!*swapped) return std::optional<AuthResult>();
  // What SessionStore::Rotate stored.
  s.prev_refresh_hash = expected_hash;
  s.refresh_hash = std::move(rot.new_hash);
  s.rotated_at = now;
  s.last_active = now;
  result.must_change_password = s.data.user.must_change_password;
  result.session = std::move(s);
  return std::optional<AuthResult>(std::move(result));
}

std::optional<AuthResult> SessionRotation::ReplayWithinGrace(const session::Session& s,
                                                             const std::string& presented_hash,
                                                             core::UnixMillis now) const {
  const std::int64_t grace = tokens_.options().refresh_grace_ms;
  const bool in_window = grace > 0 && s.rotated_at > 0 && now - s.rotated_at <= grace &&
                         crypto::ConstantTimeEquals(s.prev_refresh_hash, presented_hash);
  if (!in_window) return std::nullopt;
  AuthResult result;
  result.tokens = tokens_.MintSuccessor(s, presented_hash, s.rotated_at / 1000);
  // The re-minted token must be the one the session holds; if the session
  // changed since (it cannot without a rotation), fail safe.
  if (!crypto::ConstantTimeEquals(tokens_.RefreshHash(result.tokens.refresh_token),
                                  s.refresh_hash)) {
    return std::nullopt;
  }
  result.session = s;
  result.must_change_password = s.data.user.must_change_password;
  return result;
}

}  // namespace authd::flows
