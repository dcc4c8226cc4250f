#include "flows/recovery_flows.h"

#include "core/errors.h"
#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "flows/account_flows.h"
#include "flows/reset_token.h"

namespace authd::flows {
namespace {

core::TenantId TenantOf(const std::optional<std::string>& id) {
  // Tenancy off: the reference scopes the lookup to the id as given, so an
  // unknown tenant finds nobody.
  if (id) return core::TenantIdValue(*id);
  return std::nullopt;
}

}  // namespace

core::Result<RecoveryFlows::Account> RecoveryFlows::Find(const RecoveryTarget& t) const {
  const bool phone = t.phone && !t.phone->empty();
  const bool email = t.email && !t.email->empty();
  if (!phone && !email) {
    return core::MakeError(core::Err::kEmailOrPhoneRequired);
  }
  if (phone ? !options_.phone_enabled : !options_.email_enabled) {
    return core::MakeError(core::Err::kProviderNotFound);
  }
  Account a;
  a.provider = phone ? identity::kProviderPhone : identity::kProviderEmail;
  a.identifier = phone ? NormalizePhone(*t.phone) : NormalizeEmail(*t.email);
  a.tenant = TenantOf(t.tenant_id);
  auto user = d_.users.FindUserByIdentity(a.tenant, a.provider, a.identifier);
  if (!user.ok()) return user.error();
  a.user = std::move(*user);
  return a;
}

core::Status RecoveryFlows::Forgot(const RecoveryTarget& target) {
  auto account = Find(target);
  if (!account.ok()) return account.error();
  const auto& [provider, identifier, tenant, user] = *account;
  if (!user) return d_.sender.SendDecoy(tenant, otp::Purpose::kPasswordReset);

  const identity::User& u = *user;
  const bool by_phone = std::string_view(provider) == identity::kProviderPhone;
  CodeDelivery d;
  d.channel = by_phone ? courier::Channel::kSms : courier::Channel::kEmail;
  d.recipient = identifier;
  d.template_name = "password_reset";
  d.vars["email"] = u.email.value_or("");
  d.vars["phone"] = u.phone.value_or("");
  if (!by_phone && !options_.reset_url.empty()) {
    const char sep = options_.reset_url.find('?') == std::string::npos ? '?' : '&';
    d.vars["link"] = options_.reset_url + sep + "code={code}&email=" +
                     crypto::PercentEncode(identifier, crypto::kUriUnreserved);
  }
  d.event.name = courier::event::kPasswordResetRequested;
  d.event.tenant = tenant;
  d.event.data.Str("userId", u.id.str())
      .Tenant(tenant)
      .Str("provider", provider)
      .OptStr("email", u.email)
      .OptStr("phone", u.phone);
  return d_.sender.Send(tenant, u.id, otp::Purpose::kPasswordReset, std::move(d));
}

core::Result<std::string> RecoveryFlows::VerifyCode(const RecoveryTarget& target,
                                                    const std::string& code) {
  auto account = Find(target);
  if (!account.ok()) return account.error();
  const core::TenantId& tenant = account->tenant;
  // No account enumeration (the reference answers an unknown account with
  // PASSWORD_RESET_INVALID_REQUEST, and an expired or used-up code with its
  // own message, which an attacker can provoke): an unknown account costs
  // the same lookups as a known one, and every wrong, expired or used-up
  // code gets the same answer.
  const otp::Purpose purpose = otp::Purpose::kPasswordReset;
  core::Status s = account->user ? d_.sender.codes().Consume(d_.sender.store(), tenant,
                                                             account->user->id, purpose, code)
                                 : d_.sender.ConsumeDecoy(tenant, purpose, code);
  if (!s.ok()) {
    const core::Error& e = s.error();
    if (e.category != core::ErrorCategory::kInvalidArgument ||
        e.code == core::EntryOf(core::Err::kCodeRequired).code) {
      return e;
    }
  }
  if (!s.ok() || !account->user) return core::MakeError(core::Err::kCodeInvalid);
  const identity::User& u = *account->user;
  ResetClaims claims;
  claims.user_id = u.id.str();
  claims.password_signature = PasswordSignature(options_.secret, u.password_hash);
  claims.tenant_id = tenant;
  return SignResetToken(claims, options_.secret, d_.clock.NowSeconds(),
                        options_.reset_token_ttl_seconds);
}

core::Status RecoveryFlows::Reset(const std::string& token, const std::string& new_password) {
  const ResetTokenCheck check = VerifyResetToken(token, options_.secret, d_.clock.NowSeconds());
  if (!check.claims) {
    return core::MakeError(check.error == ResetTokenError::kWrongType
                               ? core::Err::kResetTokenWrongType
                               : core::Err::kResetTokenInvalid);
  }
  const ResetClaims& c = *check.claims;
  const core::UserId user_id(c.user_id);
  auto user = d_.users.FindUserById(c.tenant_id, user_id);
  if (!user.ok()) return user.error();
  if (!user->has_value()) return core::MakeError(core::Err::kResetUserNotFound);
  const identity::User& u = **user;
  const core::Error stale = core::MakeError(core::Err::kResetTokenStale);
  if (!crypto::ConstantTimeEquals(c.password_signature,
                                  PasswordSignature(options_.secret, u.password_hash))) {
    return stale;
  }
  if (auto s = d_.passwords.CheckPolicy(new_password, u.email.value_or("")); !s.ok()) return s;
  auto hash = d_.passwords.Hash(new_password);
  if (!hash.ok()) return hash.error();
  if (auto r = d_.sessions.DeleteAllForUser(user_id); !r.ok()) return r.error();
  const core::UnixMillis now = d_.clock.NowMillis();
  // Compare-and-set on the hash the token was checked against: of two
  // concurrent resets with one token, exactly one changes the password.
  auto changed = d_.users.CompareAndSetPassword(c.tenant_id, user_id, u.password_hash, *hash,
                                                now - now % 1000);
  if (!changed.ok()) return changed.error();
  if (!*changed) return stale;
  if (auto r = d_.sessions.DeleteAllForUser(user_id); !r.ok()) return r.error();
  d_.sender.events().Emit(courier::event::kPasswordReset, c.tenant_id,
                          [&](courier::EventData& data) {
                            data.Str("userId", u.id.str())
                                .Tenant(c.tenant_id)
                                .OptStr("email", u.email)
                                .OptStr("phone", u.phone);
                          });
  return core::Status::Ok();
}

}  // namespace authd::flows
