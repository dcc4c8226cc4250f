#include "flows/session_flows.h"

#include "core/errors.h"
#include "crypto/hmac.h"
#include "flows/session_issuer.h"

namespace authd::flows {
namespace {

core::Error RefreshReused() { return core::MakeError(core::Err::kRefreshTokenReused); }

core::Error InvalidToken() { return core::MakeError(core::Err::kInvalidToken); }

core::TenantId TenantOf(const session::TokenClaims& c) { return c.tenant_id; }

}  // namespace

core::Error SessionNotFound() { return core::MakeError(core::Err::kSessionNotFound); }

core::Error SessionFlows::Revoke(const session::Session& s) {
  auto r = d_.sessions.Delete(s.tenant_id, s.id);
  if (!r.ok()) return r.error();
  d_.events.Emit(courier::event::kRefreshReuse, s.tenant_id, [&](courier::EventData& data) {
    data.Str("sessionId", s.id.str()).Str("userId", s.user_id.str()).Bool("revoked", *r);
  });
  return RefreshReused();
}

core::Result<AuthResult> SessionFlows::RetryWithinGrace(const session::Session& s,
                                                        const std::string& presented_hash) {
  auto replay = rotation_.ReplayWithinGrace(s, presented_hash, d_.clock.NowMillis());
  if (!replay) return Revoke(s);
  return std::move(*replay);
}

core::Result<AuthResult> SessionFlows::Refresh(std::string_view token) {
  if (token.empty()) {
    return core::MakeError(core::Err::kRefreshTokenRequired);
  }
  const core::UnixMillis now = d_.clock.NowMillis();
  auto claims = d_.tokens.Verify(token, now / 1000);
  if (!claims) {
    return core::MakeError(core::Err::kRefreshTokenExpired);
  }
  if (claims->session_id.empty()) {
    return core::MakeError(core::Err::kRefreshTokenPayloadInvalid);
  }
  const core::TenantId tenant = TenantOf(*claims);
  const core::SessionId sid(claims->session_id);
  auto found = d_.sessions.Get(tenant, sid, now);
  if (!found.ok()) return found.error();
  if (!found->has_value()) return SessionNotFound();
  session::Session s = std::move(**found);

  const std::string hash = d_.tokens.RefreshHash(token);
  if (!s.refresh_hash.empty() && !crypto::ConstantTimeEquals(s.refresh_hash, hash)) {
    return RetryWithinGrace(s, hash);
  }
  auto user = d_.users.FindUserById(tenant, s.user_id);
  if (!user.ok()) return user.error();
  if (!user->has_value()) {
    (void)d_.sessions.Delete(tenant, sid);
    return core::MakeError(core::Err::kUserNotFound);
  }
  if (!(*user)->is_active) {
    (void)d_.sessions.Delete(tenant, sid);
    return core::MakeError(core::Err::kAccountSuspended);
  }
  // Rebuild the snapshot from the database; the MFA state is kept.
  s.data.user = SnapshotOf(**user);
  s.expires_at = now + d_.tokens.options().refresh_token_ttl_seconds * 1000;
  auto rotated = rotation_.Rotate(std::move(s), hash, now);
  if (!rotated.ok()) return rotated.error();
  if (!rotated->has_value()) {
    // Another request rotated this token first: answer like a retry.
    auto again = d_.sessions.Get(tenant, sid, now);
    if (!again.ok()) return again.error();
    if (!again->has_value()) return SessionNotFound();
    return RetryWithinGrace(**again, hash);
  }
  return std::move(**rotated);
}

std::optional<std::string> SessionFlows::TokenUser(std::string_view access_token) const {
  auto claims = d_.tokens.Verify(access_token, d_.clock.NowMillis() / 1000);
  if (!claims || claims->user_id.empty()) return std::nullopt;
  return claims->user_id;
}

core::Result<Principal> SessionFlows::Authenticate(std::string_view access_token, bool skip_mfa) {
  const core::UnixMillis now = d_.clock.NowMillis();
  auto claims = d_.tokens.Verify(access_token, now / 1000);
  if (!claims) return InvalidToken();
  if (!claims->type.empty() && claims->type != session::kTokenTypeAccess) {
    return InvalidToken();
  }
  if (claims->session_id.empty()) return SessionNotFound();
  const core::TenantId tenant = TenantOf(*claims);
  auto found = d_.guard.Read(tenant, core::SessionId(claims->session_id), now);
  if (!found.ok()) return found.error();
  if (!found->has_value() || (*found)->session.user_id.str() != claims->user_id) {
    return SessionNotFound();
  }
  const std::optional<identity::User>& user = (*found)->user;
  if (!user.has_value()) {
    return core::MakeError(core::Err::kGuardUserNotFound);
  }
  if (!user->is_active) {
    return core::MakeError(core::Err::kGuardUserInactive);
  }
  if (!skip_mfa && claims->is_mfa_enabled && !claims->is_mfa_verified) {
    return core::MakeError(core::Err::kMfaRequired);
  }
  Principal p;
  p.claims = std::move(*claims);
  p.session = std::move((*found)->session);
  p.user = std::move(*(*found)->user);
  return p;
}

core::Status SessionFlows::Logout(const Principal& p) {
  auto r = d_.sessions.Delete(p.session.tenant_id, p.session.id);
  if (!r.ok()) return r.error();
  d_.events.Emit(courier::event::kLoggedOut, p.session.tenant_id, [&](courier::EventData& data) {
    data.Str("userId", p.user.id.str())
        .Tenant(p.session.tenant_id)
        .Str("sessionId", p.session.id.str())
        .Str("logoutType", "user");
  });
  return core::Status::Ok();
}

core::Status SessionFlows::LogoutAll(const Principal& p) {
  auto r = d_.sessions.DeleteAllForUser(p.user.id);
  if (!r.ok()) return r.error();
  d_.events.Emit(courier::event::kLoggedOutAll, p.session.tenant_id, [&](courier::EventData& data) {
    data.Str("userId", p.user.id.str())
        .Tenant(p.session.tenant_id)
        .Str("logoutType", "user")
        .Int("sessions", *r);
  });
  return core::Status::Ok();
}

}  // namespace authd::flows
