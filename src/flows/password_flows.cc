#include "flows/password_flows.h"

#include "core/errors.h"

namespace authd::flows {

core::Status PasswordFlows::ChangePassword(const core::TenantId& tenant,
                                           const core::UserId& user_id, const std::string& current,
                                           const std::string& next, const ClientInfo& client) {
  // The current password is a guessable secret: same lockout as logins,
  // keyed by the account rather than a typed identifier.
  const std::string lock_key = "user:" + user_id.str();
  if (auto s = d_.lockout.Check(lock_key, client.ip); !s.ok()) return s;
  auto user = d_.users.FindUserById(tenant, user_id);
  if (!user.ok()) return user.error();
  if (!user->has_value()) {
    return core::MakeError(core::Err::kUserNotFound);
  }
  const identity::User& u = **user;
  // Before any hashing: a policy failure must stay cheap (argon2id is the
  // pool every login waits for) and must not touch the lockout.
  if (auto s = d_.passwords.CheckPolicy(next, u.email.value_or("")); !s.ok()) return s;
  const bool valid = u.password_hash ? d_.passwords.Verify(current, *u.password_hash)
                                     : d_.passwords.VerifyUnknownUser(current);
  if (!valid) {
    d_.lockout.RecordFailure(lock_key, client.ip);
    return core::MakeError(core::Err::kCurrentPasswordIncorrect);
  }
  d_.lockout.Clear(lock_key, client.ip);
  if (current == next) {
    return core::MakeError(core::Err::kNewPasswordSameAsCurrent);
  }
  auto hash = d_.passwords.Hash(next);
  if (!hash.ok()) return hash.error();
  // Sessions go before and after the update: a login racing the change
  // with the old password cannot leave a session behind.
  if (auto r = d_.sessions.DeleteAllForUser(user_id); !r.ok()) return r.error();
  const core::UnixMillis now = d_.clock.NowMillis();
  auto changed = d_.users.SetPassword(tenant, user_id, *hash, now - now % 1000);
  if (!changed.ok()) return changed.error();
  if (!*changed) return core::MakeError(core::Err::kUserNotFound);
  if (auto r = d_.sessions.DeleteAllForUser(user_id); !r.ok()) return r.error();
  d_.events.Emit(courier::event::kPasswordChanged, tenant, [&](courier::EventData& data) {
    data.Str("userId", user_id.str()).Tenant(tenant).Str("initiatedBy", "user");
  });
  return core::Status::Ok();
}

}  // namespace authd::flows
