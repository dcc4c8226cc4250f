#include "flows/mfa_flows.h"

#include <algorithm>

#include "core/errors.h"
#include "crypto/aead.h"
#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "crypto/totp.h"

namespace authd::flows {
namespace {

core::Error NotEnabled() {
  return core::MakeError(core::Err::kMfaNotEnabledForApp);
}

// encodeURIComponent: RFC 3986 unreserved plus !'()* stay.
std::string UriComponent(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') ||
                      std::string_view("-_.!~*'()").find(static_cast<char>(c)) !=
                          std::string_view::npos;
    if (keep) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

// The account label goes into the otpauth path as the reference puts it:
// as is, except for the characters that would end the path.
std::string PathLabel(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '?') out += "%3F";
    else if (c == '#') out += "%23";
    else out.push_back(c);
  }
  return out;
}

std::string Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// The device's AAD binds a sealed secret to its owner: a row copied to
// another user does not open.
std::string SealAad(const core::UserId& user) { return "mfa-totp:" + user.str(); }

}  // namespace

MfaFlows::MfaFlows(const mfa::MfaOptions& options, std::string_view secret,
                   std::string app_name, Deps deps)
    : options_(options),
      seal_key_(crypto::DeriveKey(secret, "mfa/totp-seal")),
      lookup_key_(crypto::DeriveKey(secret, "mfa/totp-lookup")),
      code_key_(crypto::DeriveKey(secret, "mfa/recovery-code")),
      trust_key_(crypto::DeriveKey(secret, "mfa/trusted-device")),
      app_name_(std::move(app_name)),
      d_(deps) {}

core::Status MfaFlows::RequireEnabled() const {
  if (!options_.enabled) return NotEnabled();
  return core::Status::Ok();
}

bool MfaFlows::Configured(std::string_view method) const {
  return std::find(options_.methods.begin(), options_.methods.end(), method) !=
         options_.methods.end();
}

core::Result<identity::User> MfaFlows::CurrentUser(const Principal& p) {
  auto user = d_.users.FindUserById(p.session.tenant_id, p.user.id);
  if (!user.ok()) return user.error();
  if (!user->has_value()) return core::MakeError(core::Err::kUserNotFound);
  return std::move(**user);
}

core::Result<std::vector<std::string>> MfaFlows::VerifiedMethods(const core::TenantId& tenant,
                                                                 const identity::User& u) {
  std::vector<std::string> out;
  if (!options_.enabled) return out;
  if (Configured("totp")) {
    auto devices = d_.store.ListDevices(tenant, u.id);
    if (!devices.ok()) return devices.error();
    if (std::any_of(devices->begin(), devices->end(),
                    [](const mfa::TotpDevice& d) { return d.verified; })) {
      out.push_back("totp");
    }
  }
  if (Configured("email") && u.email && !u.email->empty()) out.push_back("email");
  if (Configured("sms") && u.phone && !u.phone->empty()) out.push_back("sms");
  return out;
}

bool MfaFlows::Abandoned(const mfa::TotpDevice& d, core::UnixMillis now) const {
  return !d.verified && d.created_at <= now - options_.totp_setup_ttl_ms;
}

core::Result<std::vector<mfa::TotpDevice>> MfaFlows::Devices(const Principal& p) {
  if (auto s = RequireEnabled(); !s.ok()) return s.error();
  auto devices = d_.store.ListDevices(p.session.tenant_id, p.user.id);
  if (!devices.ok()) return devices.error();
  std::vector<mfa::TotpDevice> v = std::move(*devices);
  const core::UnixMillis now = d_.clock.NowMillis();
  std::erase_if(v, [&](const mfa::TotpDevice& d) { return Abandoned(d, now); });
  // lastUsedAt DESC (never used last), then createdAt DESC.
  std::stable_sort(v.begin(), v.end(), [](const mfa::TotpDevice& a, const mfa::TotpDevice& b) {
    if (a.last_used_at != b.last_used_at) {
      if (!a.last_used_at) return false;
      if (!b.last_used_at) return true;
      return *a.last_used_at > *b.last_used_at;
    }
    return a.created_at > b.created_at;
  });
  return v;
}

core::Result<MfaStatus> MfaFlows::Status(const Principal& p) {
  MfaStatus s;
  s.allow_method_selection = options_.allow_method_selection;
  s.required = options_.required;
  if (!options_.enabled) return s;
  s.configured_methods = options_.methods;
  auto user = CurrentUser(p);
  if (!user.ok()) return user.error();
  auto methods = VerifiedMethods(p.session.tenant_id, *user);
  if (!methods.ok()) return methods.error();
  s.verified_methods = std::move(*methods);
  auto devices = Devices(p);
  if (!devices.ok()) return devices.error();
  s.devices = std::move(*devices);
  auto codes = d_.store.CountUnusedRecoveryCodes(p.session.tenant_id, p.user.id);
  if (!codes.ok()) return codes.error();
  s.has_recovery_code = *codes > 0 || (user->mfa_recovery_code.has_value());
  s.is_enabled = options_.required || user->is_mfa_enabled;
  s.allow_user_toggle = options_.allow_user_toggle;
  s.can_toggle = options_.allow_user_toggle && !options_.required;
  return s;
}

core::Status MfaFlows::Toggle(const Principal& p, bool enabled) {
  if (auto s = RequireEnabled(); !s.ok()) return s;
  if (!options_.allow_user_toggle || options_.required) {
    return core::MakeError(core::Err::kMfaTogglingNotAllowed);
  }
  auto user = CurrentUser(p);
  if (!user.ok()) return user.error();
  if (enabled) {
    auto methods = VerifiedMethods(p.session.tenant_id, *user);
    if (!methods.ok()) return methods.error();
    if (methods->empty()) {
      return core::MakeError(core::Err::kMfaCannotEnableWithoutMethod);
    }
  }
  auto set = d_.users.SetMfaEnabled(p.session.tenant_id, p.user.id, enabled, d_.clock.NowMillis());
  if (!set.ok()) return set.error();
  if (!*set) return core::MakeError(core::Err::kUserNotFound);
  const char* name = enabled ? "nest_auth.two_factor_enabled" : "nest_auth.two_factor_disabled";
  if (d_.events && d_.events->Wants(name)) {
    courier::Event e{name, p.session.tenant_id, {}, std::nullopt};
    e.data.Str("userId", p.user.id.str()).Tenant(p.session.tenant_id);
    (void)d_.events->Publish(e);  // best effort
  }
  return core::Status::Ok();
}

core::Status MfaFlows::DeleteDevice(const Principal& p, const std::string& device_id) {
  if (auto s = RequireEnabled(); !s.ok()) return s;
  auto deleted = d_.store.DeleteDevice(p.session.tenant_id, p.user.id, device_id);
  if (!deleted.ok()) return deleted.error();
  if (!*deleted) return core::MakeError(core::Err::kMfaDeviceNotFound);
  return core::Status::Ok();
}

core::Result<TotpEnrolment> MfaFlows::SetupTotp(const Principal& p,
                                                const std::optional<std::string>& label,
                                                const std::optional<std::string>& device_name) {
  if (auto s = RequireEnabled(); !s.ok()) return s.error();
  auto user = CurrentUser(p);
  if (!user.ok()) return user.error();
  const identity::User& u = *user;
  if (options_.require_verified_contact && !u.email_verified_at && !u.phone_verified_at) {
    return core::MakeError(core::Err::kMfaEnrolmentNeedsContact);
  }
  TotpEnrolment e;
  e.issuer = options_.totp_issuer.empty() ? app_name_ : options_.totp_issuer;
  const std::string trimmed = label ? Trim(*label) : "";
  e.account = !trimmed.empty() ? trimmed : u.email ? *u.email : u.phone ? *u.phone : u.id.str();
  e.secret = crypto::Base32Encode(d_.random.Bytes(20));
  e.otpauth_url = "otpauth://totp/" + PathLabel(e.account) + "?secret=" + e.secret +
                  "&issuer=" + UriComponent(e.issuer) + "&period=30";

  const core::UnixMillis now = d_.clock.NowMillis();
  mfa::TotpDevice d;
  d.id = d_.random.UuidV4();
  d.user_id = u.id;
  d.tenant_id = p.session.tenant_id;
  d.name = device_name && !device_name->empty()
               ? *device_name
               : app_name_ + " : " + (u.email ? *u.email : std::string("User"));
  d.secret_sealed = crypto::Seal(seal_key_, e.secret, SealAad(u.id), d_.random);
  d.secret_lookup = crypto::HmacSha256Hex(lookup_key_, e.secret);
  d.created_at = d.updated_at = now;
  // Deletes exactly the Abandoned() setups before counting.
  auto added = d_.store.AddDeviceWithinLimit(d, options_.max_totp_devices,
                                             now - options_.totp_setup_ttl_ms + 1);
  if (!added.ok()) return added.error();
  if (!*added) {
    return core::MakeError(core::Err::kMfaDeviceLimitReached);
  }
  return e;
}

core::Status MfaFlows::VerifyTotpSetup(const Principal& p, const std::string& otp,
                                       const std::string& secret) {
  if (auto s = RequireEnabled(); !s.ok()) return s;
  const core::Error invalid = core::MakeError(core::Err::kMfaOtpInvalid);
  auto device = d_.store.FindDeviceBySecret(p.session.tenant_id, p.user.id,
                                            crypto::HmacSha256Hex(lookup_key_, secret));
  if (!device.ok()) return device.error();
  if (!device->has_value()) return invalid;
  const mfa::TotpDevice& d = **device;
  if (d.verified) return core::Status::Ok();  // as the reference
  if (Abandoned(d, d_.clock.NowMillis())) return invalid;
  auto plain = crypto::Open(seal_key_, d.secret_sealed, SealAad(p.user.id));
  if (!plain) return core::Internal("mfa device " + d.id + ": sealed secret does not open");
  auto key = crypto::Base32Decode(*plain);
  if (!key) return core::Internal("mfa device " + d.id + ": secret is not base32");
  const core::UnixMillis now = d_.clock.NowMillis();
  auto step = crypto::VerifyTotp(*key, otp, now / 1000);
  if (!step) return invalid;
  auto used = d_.store.UseDeviceStep(p.session.tenant_id, p.user.id, d.id, *step, now);
  if (!used.ok()) return used.error();
  if (!*used) return invalid;  // a replay of an accepted code
  auto marked = d_.store.MarkDeviceVerified(p.session.tenant_id, p.user.id, d.id, now);
  if (!marked.ok()) return marked.error();
  if (!*marked) return invalid;
  return core::Status::Ok();
}

core::Result<std::vector<std::string>> MfaFlows::GenerateRecoveryCodes(const Principal& p) {
  if (auto s = RequireEnabled(); !s.ok()) return s.error();
  const core::UnixMillis now = d_.clock.NowMillis();
  std::vector<std::string> plain;
  std::vector<mfa::RecoveryCode> rows;
  for (int i = 0; i < options_.recovery_code_count; ++i) {
    plain.push_back(d_.random.TokenBase64Url(20));
    mfa::RecoveryCode c;
    c.id = d_.random.UuidV4();
    c.user_id = p.user.id;
    c.tenant_id = p.session.tenant_id;
    c.code_hash = crypto::HmacSha256Hex(code_key_, plain.back());
    c.created_at = now;
    rows.push_back(std::move(c));
  }
  if (auto s = d_.store.ReplaceRecoveryCodes(p.session.tenant_id, p.user.id, rows); !s.ok()) {
    return s.error();
  }
  return plain;
}

// --- sign-in -----------------------------------------------------------

core::Result<MfaDecision> MfaFlows::Decide(const core::TenantId& tenant,
                                           const identity::User& user,
                                           const std::optional<std::string>& trust_token) {
  MfaDecision d;
  if (!options_.enabled || !(options_.required || user.is_mfa_enabled)) return d;
  if (trust_token && !trust_token->empty()) {
    auto trusted = d_.store.UseTrustedDevice(
        tenant, user.id, crypto::HmacSha256Hex(trust_key_, *trust_token), d_.clock.NowMillis());
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
    if (Configured("email")) d.methods.push_back("email");
    if (Configured("sms")) d.methods.push_back("sms");
    auto devices = d_.store.ListDevices(tenant, user.id);
    if (!devices.ok()) return devices.error();
    if (std::any_of(devices->begin(), devices->end(),
                    [](const mfa::TotpDevice& x) { return x.verified; })) {
      d.methods.push_back("totp");
    }
  }
  if (!d.methods.empty()) {
    const bool has_default =
        std::find(d.methods.begin(), d.methods.end(), options_.default_method) != d.methods.end();
    d.default_method = has_default ? options_.default_method : d.methods.front();
  }
  return d;
}

void MfaFlows::RecordFailure(const Principal& p) {
  if (d_.lockout) d_.lockout->RecordFailure("mfa:" + p.user.id.str(), "");
}

core::Status MfaFlows::Challenge(const Principal& p, const std::string& method) {
  if (auto s = RequireEnabled(); !s.ok()) return s;
  if (!d_.codes) return core::Internal("mfa: no code sender");
  auto user = CurrentUser(p);
  if (!user.ok()) return user.error();
  const identity::User& u = *user;
  const bool email = method == "email";
  const bool sms = method == "sms";
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
  d.binding = method;
  d.event.name = "nest_auth.two_factor_code_sent";
  d.event.tenant = p.session.tenant_id;
  d.event.data.Str("userId", u.id.str()).Tenant(p.session.tenant_id).Str("method", method);
  return d_.codes->Send(p.session.tenant_id, u.id, otp::Purpose::kMfa, std::move(d));
}

core::Result<bool> MfaFlows::CheckTotp(const Principal& p, const std::string& otp) {
  auto devices = d_.store.ListDevices(p.session.tenant_id, p.user.id);
  if (!devices.ok()) return devices.error();
  const core::UnixMillis now = d_.clock.NowMillis();
  for (const mfa::TotpDevice& d : *devices) {
    if (!d.verified) continue;
    auto plain = crypto::Open(seal_key_, d.secret_sealed, SealAad(p.user.id));
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

core::Result<AuthResult> MfaFlows::Upgrade(const Principal& p, bool trust_device,
                                           const ClientInfo& client, const char* event) {
  if (!d_.sessions || !d_.tokens) return core::Internal("mfa: no session store");
  const core::UnixMillis now = d_.clock.NowMillis();
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto found = d_.sessions->Get(p.session.tenant_id, p.session.id, now);
    if (!found.ok()) return found.error();
    if (!found->has_value()) return SessionNotFound();
    session::Session s = std::move(**found);
    s.data.is_mfa_verified = true;
    AuthResult r;
    // Minted as the successor of the current refresh token, so a client
    // retrying that token within the grace window gets this same pair.
    r.tokens = d_.tokens->MintSuccessor(s, s.refresh_hash, now / 1000);
    session::Rotation rot;
    rot.expected_hash = s.refresh_hash;
    rot.new_hash = d_.tokens->RefreshHash(r.tokens.refresh_token);
    rot.rotated_at = now;
    rot.data = s.data;
    rot.expires_at = s.expires_at;
    auto swapped = d_.sessions->Rotate(s.tenant_id, s.id, rot);
    if (!swapped.ok()) return swapped.error();
    if (!*swapped) continue;  // a concurrent refresh won: read it again
    if (trust_device) {
      mfa::TrustedDevice t;
      t.id = d_.random.UuidV4();
      t.user_id = p.user.id;
      t.tenant_id = p.session.tenant_id;
      std::string token = d_.random.TokenBase64Url(32);
      t.token_hash = crypto::HmacSha256Hex(trust_key_, token);
      t.user_agent = client.user_agent;
      t.ip_address = client.ip;
      t.expires_at = now + options_.trusted_device_ttl_ms;
      t.created_at = now;
      if (auto st = d_.store.AddTrustedDevice(t); !st.ok()) return st.error();
      r.trust_token = std::move(token);
    }
    if (d_.lockout) d_.lockout->Clear("mfa:" + p.user.id.str(), "");
    if (d_.events && d_.events->Wants(event)) {
      courier::Event e{event, p.session.tenant_id, {}, std::nullopt};
      e.data.Str("userId", p.user.id.str()).Tenant(p.session.tenant_id)
          .Str("sessionId", s.id.str()).Bool("trustDevice", trust_device);
      (void)d_.events->Publish(e);  // best effort
    }
    r.must_change_password = s.data.user.must_change_password;
    r.session = std::move(s);
    r.session.refresh_hash = rot.new_hash;
    return r;
  }
  return core::Unavailable("mfa: the session kept changing during the upgrade");
}

core::Result<AuthResult> MfaFlows::Verify(const Principal& p, const std::string& method,
                                          const std::string& otp, bool trust_device,
                                          const ClientInfo& client) {
  if (auto s = RequireEnabled(); !s.ok()) return s.error();
  if (method == "totp") {
    auto ok = CheckTotp(p, otp);
    if (!ok.ok()) return ok.error();
    if (!*ok) {
      RecordFailure(p);
      return core::MakeError(core::Err::kMfaCodeInvalid);
    }
  } else {
    if (!d_.codes) return core::Internal("mfa: no code sender");
    core::Status consumed = d_.codes->codes().Consume(
        d_.codes->store(), p.session.tenant_id, p.user.id, otp::Purpose::kMfa, otp, method);
    if (!consumed.ok()) {
      if (consumed.error().code == "VERIFICATION_CODE_INVALID") RecordFailure(p);
      return consumed.error();
    }
    // The code reached the user through this channel: it is verified.
    auto user = CurrentUser(p);
    if (!user.ok()) return user.error();
    const bool email = method == "email";
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

core::Result<AuthResult> MfaFlows::VerifyRecoveryCode(const Principal& p,
                                                      const std::string& code,
                                                      bool trust_device,
                                                      const ClientInfo& client) {
  auto user = CurrentUser(p);
  if (!user.ok()) return user.error();
  if (!options_.enabled || (!options_.required && !user->is_mfa_enabled)) {
    return core::MakeError(core::Err::kMfaNotRequired);
  }
  auto used = d_.store.UseRecoveryCode(p.session.tenant_id, p.user.id,
                                       crypto::HmacSha256Hex(code_key_, code),
                                       d_.clock.NowMillis());
  if (!used.ok()) return used.error();
  if (!*used) {
    RecordFailure(p);
    return core::MakeError(core::Err::kMfaRecoveryCodeInvalid);
  }
  return Upgrade(p, trust_device, client, "nest_auth.mfa_recovery_code_used");
}

core::Status MfaFlows::ResetTotp(const Principal& p, const std::string& code) {
  if (auto s = RequireEnabled(); !s.ok()) return s;
  auto used = d_.store.UseRecoveryCode(p.session.tenant_id, p.user.id,
                                       crypto::HmacSha256Hex(code_key_, code),
                                       d_.clock.NowMillis());
  if (!used.ok()) return used.error();
  if (!*used) {
    RecordFailure(p);
    return core::MakeError(core::Err::kMfaRecoveryCodeInvalid);
  }
  auto deleted = d_.store.DeleteAllDevices(p.session.tenant_id, p.user.id);
  if (!deleted.ok()) return deleted.error();
  auto user = CurrentUser(p);
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
