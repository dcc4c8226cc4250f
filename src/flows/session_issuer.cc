#include "flows/session_issuer.h"

#include "session/user_agent.h"

namespace authd::flows {

identity::User SnapshotOf(const identity::User& user) {
  identity::User u = user;
  u.password_hash.reset();
  return u;
}

core::Result<AuthResult> SessionIssuer::Issue(const identity::User& user,
                                              const core::TenantId& tenant,
                                              const ClientInfo& client, bool mfa_pending,
                                              bool mfa_verified) {
  const core::UnixMillis now = d_.clock.NowMillis();
  session::Session s;
  s.id = core::SessionId(d_.random.UuidV4());
  s.user_id = user.id;
  s.tenant_id = tenant;
  s.data.user = SnapshotOf(user);
  s.data.is_mfa_verified = mfa_verified;
  if (mfa_pending) s.data.is_mfa_enabled = true;
  s.data.tenant_id = tenant;
  s.expires_at = now + d_.tokens.options().refresh_token_ttl_seconds * 1000;
  std::string device = session::DeviceName(client.user_agent);
  s.user_agent = session::BrowserName(client.user_agent) + " - " + device;
  s.device_name = device;
  s.ip_address = client.ip;
  s.last_active = now;
  s.created_at = now;
  s.updated_at = now;

  AuthResult result;
  result.tokens = d_.tokens.Mint(s, now / 1000);
  s.refresh_hash = d_.tokens.RefreshHash(result.tokens.refresh_token);
  if (auto st = d_.sessions.Create(s, d_.tokens.options().max_sessions_per_user, now); !st.ok()) {
    return st.error();
  }
  result.is_requires_mfa = mfa_pending;
  result.must_change_password = user.must_change_password;
  result.session = std::move(s);
  return result;
}

}  // namespace authd::flows
