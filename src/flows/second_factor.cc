#include "flows/second_factor.h"

#include <algorithm>

#include "core/errors.h"
#include "crypto/aead.h"
#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "crypto/totp.h"

namespace authd::flows {

using mfa::MfaMethod;

SecondFactor::SecondFactor(const mfa::MfaOptions& options, MfaKeys keys, Deps deps)
    : options_(options), keys_(std::move(keys)), d_(deps), rotation_(deps.sessions, deps.tokens) {}

core::Result<std::vector<mfa::MfaMethod>> SecondFactor::VerifiedMethods(
    const core::TenantId& tenant, const identity::User& u) {
  return VerifiedMfaMethods(options_, d_.store, tenant, u);
}

core::Result<MfaDecision> SecondFactor::Decide(const core::TenantId& tenant,
                                               const identity::User& user,
                                               const std::optional<std::string>& trust_token) {
  MfaDecision d;
  if (!options_.enabled || !(options_.required || user.is_mfa_enabled)) return d;
  if (trust_token && !trust_token->empty()) {
    auto trusted = d_.store.UseTrustedDevice(
        tenant, user.id, crypto::HmacSha256Hex(keys_.trust, *trust_token), d_.clock.NowMillis());
    if (!trusted.ok()) return trusted.error();
    if (*trusted) {  // a trusted device stands in for the second factor
      d.trusted = true;
      return d;
    }
  }
  d.pending = true;
  // The reference's order: email, sms (configured), then totp (a verified
  // device).
  {
    // As the reference: configured e-mail and SMS are offered without
    // checking that the user has an address or a phone.
    const std::vector<MfaMethod> configured = mfa::ConfiguredMethods(options_);
    for (MfaMethod m : {MfaMethod::kEmail, MfaMethod::kSms}) {
      if (std::find(configured.begin(), configured.end(), m) != configured.end()) {
        d.methods.push_back(m);
      }
    }
    auto devices = d_.store.ListDevices(tenant, user.id);
    if (!devices.ok()) return devices.error();
    if (std::any_of(devices->begin(), devices->end(),
                    [](const mfa::TotpDevice& x) { return x.verified; })) {
      d.methods.push_back(MfaMethod::kTotp);
    }
  }
  if (!d.methods.empty()) {
    const std::optional<MfaMethod> preferred = mfa::DefaultMethod(options_);
    const bool has_default =
        preferred && std::find(d.methods.begin(), d.methods.end(), *preferred) != d.methods.end();
    d.default_method = has_default ? *preferred : d.methods.front();
  }
  return d;
}

void SecondFactor::RecordFailure(const Principal& p) {
  d_.lockout.RecordFailure("mfa:" + p.user.id.str(), "");
}

core::Status SecondFactor::Challenge(const Principal& p, std::optional<mfa::MfaMethod> method) {
  if (auto s = RequireMfaEnabled(options_); !s.ok()) return s;
  auto user = CurrentMfaUser(d_.users, p.session.tenant_id, p.user.id);
  if (!user.ok()) return user.error();
  const identity::User& u = *user;
  const bool email = method == MfaMethod::kEmail;
  const bool sms = method == MfaMethod::kSms;
  const bool deliverable = (email && u.email) || (sms && u.phone);
  if (!deliverable) {
    // The reference creates a code it never sends; authd answers the same
    // and sends nothing (a code nobody can read helps nobody).
    return core::Status::Ok();
  }
  CodeDelivery d;
  d.channel = email ? courier::Channel::kEmail : courier::Channel::kSms;
  d.recipient = email ? *u.email : *u.phone;
  d.template_name = "mfa_code";
  d.vars["email"] = u.email.value_or("");
  d.vars["phone"] = u.phone.value_or("");
  // The code only verifies with the method it was sent by, so an e-mailed
  // code can never mark the phone as verified (reference weakness).
  d.binding = mfa::MfaMethodName(*method);
  d.event.name = "nest_auth.two_factor_code_sent";
  d.event.tenant = p.session.tenant_id;
  d.event.data.Str("userId", u.id.str()).Tenant(p.session.tenant_id).Str("method", d.binding);
  return d_.codes.Send(p.session.tenant_id, u.id, otp::Purpose::kMfa, std::move(d));
}

core::Result<bool> SecondFactor::CheckTotp(const Principal& p, const std::string& otp) {
  auto devices = d_.store.ListDevices(p.session.tenant_id, p.user.id);
  if (!devices.ok()) return devices.error();
  const core::UnixMillis now = d_.clock.NowMillis();
  for (const mfa::TotpDevice& d : *devices) {
    if (!d.verified) continue;
    auto plain = crypto::Open(keys_.seal, d.secret_sealed, MfaKeys::SealAad(p.user.id));
    if (!plain) return core::Internal("mfa device " + d.id + ": sealed secret does not open");
    auto key = crypto::Base32Decode(*plain);
    if (!key) continue;
    auto step = crypto::VerifyTotp(*key, otp, now / 1000);
    if (!step) continue;
    // A code accepted once is refused for the rest of its window.
    auto used = d_.store.UseDeviceStep(p.session.tenant_id, p.user.id, d.id, *step, now);
    if (!used.ok()) return used.error();
    return *used;
  }
  return false;
}

core::Result<AuthResult> SecondFactor::Upgrade(const Principal& p, bool trust_device,
                                               const ClientInfo& client, const char* event) {
  const core::UnixMillis now = d_.clock.NowMillis();
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto found = d_.sessions.Get(p.session.tenant_id, p.session.id, now);
    if (!found.ok()) return found.error();
    if (!found->has_value()) return SessionNotFound();
    session::Session s = std::move(**found);
    s.data.is_mfa_verified = true;
    // Rotated from the current refresh token, so a client retrying that
    // token within the grace window gets this same pair.
    const std::string current = s.refresh_hash;
    auto rotated = rotation_.Rotate(std::move(s), current, now);
    if (!rotated.ok()) return rotated.error();
    if (!rotated->has_value()) continue;  // a concurrent refresh won: read it again
    AuthResult r = std::move(**rotated);
    if (trust_device) {
      mfa::TrustedDevice t;
      t.id = d_.random.UuidV4();
      t.user_id = p.user.id;
      t.tenant_id = p.session.tenant_id;
      std::string token = d_.random.TokenBase64Url(32);
      t.token_hash = crypto::HmacSha256Hex(keys_.trust, token);
      t.user_agent = client.user_agent;
      t.ip_address = client.ip;
      t.expires_at = now + options_.trusted_device_ttl_ms;
      t.created_at = now;
      if (auto st = d_.store.AddTrustedDevice(t); !st.ok()) return st.error();
      r.trust_token = std::move(token);
    }
    d_.lockout.Clear("mfa:" + p.user.id.str(), "");
    d_.events.Emit(event, p.session.tenant_id, [&](courier::EventData& data) {
      data.Str("userId", p.user.id.str())
          .Tenant(p.session.tenant_id)
          .Str("sessionId", r.session.id.str())
          .Bool("trustDevice", trust_device);
    });
    return r;
  }
  return core::Unavailable("mfa: the session kept changing during the upgrade");
}

core::Result<AuthResult> SecondFactor::Verify(const Principal& p, mfa::MfaMethod method,
                                              const std::string& otp, bool trust_device,
                                              const ClientInfo& client) {
  if (auto s = RequireMfaEnabled(options_); !s.ok()) return s.error();
  if (method == MfaMethod::kTotp) {
    auto ok = CheckTotp(p, otp);
    if (!ok.ok()) return ok.error();
    if (!*ok) {
      RecordFailure(p);
      return core::MakeError(core::Err::kMfaCodeInvalid);
    }
  } else {
    core::Status consumed =
        d_.codes.codes().Consume(d_.codes.store(), p.session.tenant_id, p.user.id,
                                 otp::Purpose::kMfa, otp, mfa::MfaMethodName(method));
    if (!consumed.ok()) {
      if (consumed.error().code == "VERIFICATION_CODE_INVALID") RecordFailure(p);
      return consumed.error();
    }
    // The code reached the user through this channel: it is verified.
    auto user = CurrentMfaUser(d_.users, p.session.tenant_id, p.user.id);
    if (!user.ok()) return user.error();
    const bool email = method == MfaMethod::kEmail;
    if (email ? !user->email_verified_at : !user->phone_verified_at) {
      auto marked = d_.users.MarkVerified(
          p.session.tenant_id, p.user.id,
          email ? identity::VerifiedChannel::kEmail : identity::VerifiedChannel::kPhone,
          d_.clock.NowMillis());
      if (!marked.ok()) return marked.error();
    }
  }
  return Upgrade(p, trust_device, client, "nest_auth.two_factor_verified");
}

core::Status SecondFactor::SpendRecoveryCode(const Principal& p, const std::string& code) {
  auto used =
      d_.store.UseRecoveryCode(p.session.tenant_id, p.user.id,
                               crypto::HmacSha256Hex(keys_.code, code), d_.clock.NowMillis());
  if (!used.ok()) return used.error();
  if (!*used) {
    RecordFailure(p);
    return core::MakeError(core::Err::kMfaRecoveryCodeInvalid);
  }
  return core::Status::Ok();
}

core::Result<AuthResult> SecondFactor::VerifyRecoveryCode(const Principal& p,
                                                          const std::string& code,
                                                          bool trust_device,
                                                          const ClientInfo& client) {
  auto user = CurrentMfaUser(d_.users, p.session.tenant_id, p.user.id);
  if (!user.ok()) return user.error();
  if (!options_.enabled || (!options_.required && !user->is_mfa_enabled)) {
    return core::MakeError(core::Err::kMfaNotRequired);
  }
  if (auto s = SpendRecoveryCode(p, code); !s.ok()) return s.error();
  return Upgrade(p, trust_device, client, "nest_auth.mfa_recovery_code_used");
}

core::Status SecondFactor::ResetTotp(const Principal& p, const std::string& code) {
  if (auto s = RequireMfaEnabled(options_); !s.ok()) return s;
  if (auto s = SpendRecoveryCode(p, code); !s.ok()) return s.error();
  auto deleted = d_.store.DeleteAllDevices(p.session.tenant_id, p.user.id);
  if (!deleted.ok()) return deleted.error();
  auto user = CurrentMfaUser(d_.users, p.session.tenant_id, p.user.id);
  if (!user.ok()) return user.error();
  auto methods = VerifiedMethods(p.session.tenant_id, *user);
  if (!methods.ok()) return methods.error();
  if (methods->empty() && user->is_mfa_enabled) {
    auto off = d_.users.SetMfaEnabled(p.session.tenant_id, p.user.id, false, d_.clock.NowMillis());
    if (!off.ok()) return off.error();
  }
  return core::Status::Ok();
}

}  // namespace authd::flows
