#include "flows/mfa_enrolment.h"

#include <algorithm>

#include "core/errors.h"
#include "crypto/aead.h"
#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "crypto/totp.h"

namespace authd::flows {
namespace {

// The account label goes into the otpauth path as the reference puts it:
// as is, except for the characters that would end the path.
std::string PathLabel(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '?')
      out += "%3F";
    else if (c == '#')
      out += "%23";
    else
      out.push_back(c);
  }
  return out;
}

std::string Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

MfaEnrolment::MfaEnrolment(const mfa::MfaOptions& options, MfaKeys keys, std::string app_name,
                           Deps deps)
    : options_(options), keys_(std::move(keys)), app_name_(std::move(app_name)), d_(deps) {}

bool MfaEnrolment::Abandoned(const mfa::TotpDevice& d, core::UnixMillis now) const {
  return !d.verified && d.created_at <= now - options_.totp_setup_ttl_ms;
}

core::Result<std::vector<mfa::TotpDevice>> MfaEnrolment::Devices(const Principal& p) {
  if (auto s = RequireMfaEnabled(options_); !s.ok()) return s.error();
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

core::Result<MfaStatus> MfaEnrolment::Status(const Principal& p) {
  MfaStatus s;
  s.allow_method_selection = options_.allow_method_selection;
  s.required = options_.required;
  if (!options_.enabled) return s;
  s.configured_methods = mfa::ConfiguredMethods(options_);
  auto user = CurrentMfaUser(d_.users, p.session.tenant_id, p.user.id);
  if (!user.ok()) return user.error();
  auto methods = VerifiedMfaMethods(options_, d_.store, p.session.tenant_id, *user);
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

core::Status MfaEnrolment::Toggle(const Principal& p, bool enabled) {
  if (auto s = RequireMfaEnabled(options_); !s.ok()) return s;
  if (!options_.allow_user_toggle || options_.required) {
    return core::MakeError(core::Err::kMfaTogglingNotAllowed);
  }
  auto user = CurrentMfaUser(d_.users, p.session.tenant_id, p.user.id);
  if (!user.ok()) return user.error();
  if (enabled) {
    auto methods = VerifiedMfaMethods(options_, d_.store, p.session.tenant_id, *user);
    if (!methods.ok()) return methods.error();
    if (methods->empty()) {
      return core::MakeError(core::Err::kMfaCannotEnableWithoutMethod);
    }
  }
  auto set = d_.users.SetMfaEnabled(p.session.tenant_id, p.user.id, enabled, d_.clock.NowMillis());
  if (!set.ok()) return set.error();
  if (!*set) return core::MakeError(core::Err::kUserNotFound);
  const char* name = enabled ? "nest_auth.two_factor_enabled" : "nest_auth.two_factor_disabled";
  d_.events.Emit(name, p.session.tenant_id, [&](courier::EventData& data) {
    data.Str("userId", p.user.id.str()).Tenant(p.session.tenant_id);
  });
  return core::Status::Ok();
}

core::Status MfaEnrolment::DeleteDevice(const Principal& p, const std::string& device_id) {
  if (auto s = RequireMfaEnabled(options_); !s.ok()) return s;
  auto deleted = d_.store.DeleteDevice(p.session.tenant_id, p.user.id, device_id);
  if (!deleted.ok()) return deleted.error();
  if (!*deleted) return core::MakeError(core::Err::kMfaDeviceNotFound);
  return core::Status::Ok();
}

core::Result<TotpEnrolment> MfaEnrolment::SetupTotp(const Principal& p,
                                                    const std::optional<std::string>& label,
                                                    const std::optional<std::string>& device_name) {
  if (auto s = RequireMfaEnabled(options_); !s.ok()) return s.error();
  auto user = CurrentMfaUser(d_.users, p.session.tenant_id, p.user.id);
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
                  "&issuer=" + crypto::PercentEncode(e.issuer, crypto::kUriComponentUnreserved) +
                  "&period=30";

  const core::UnixMillis now = d_.clock.NowMillis();
  mfa::TotpDevice d;
  d.id = d_.random.UuidV4();
  d.user_id = u.id;
  d.tenant_id = p.session.tenant_id;
  d.name = device_name && !device_name->empty()
               ? *device_name
               : app_name_ + " : " + (u.email ? *u.email : std::string("User"));
  d.secret_sealed = crypto::Seal(keys_.seal, e.secret, MfaKeys::SealAad(u.id), d_.random);
  d.secret_lookup = crypto::HmacSha256Hex(keys_.lookup, e.secret);
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

core::Status MfaEnrolment::VerifyTotpSetup(const Principal& p, const std::string& otp,
                                           const std::string& secret) {
  if (auto s = RequireMfaEnabled(options_); !s.ok()) return s;
  const core::Error invalid = core::MakeError(core::Err::kMfaOtpInvalid);
  auto device = d_.store.FindDeviceBySecret(p.session.tenant_id, p.user.id,
                                            crypto::HmacSha256Hex(keys_.lookup, secret));
  if (!device.ok()) return device.error();
  if (!device->has_value()) return invalid;
  const mfa::TotpDevice& d = **device;
  if (d.verified) return core::Status::Ok();  // as the reference
  if (Abandoned(d, d_.clock.NowMillis())) return invalid;
  auto plain = crypto::Open(keys_.seal, d.secret_sealed, MfaKeys::SealAad(p.user.id));
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

core::Result<std::vector<std::string>> MfaEnrolment::GenerateRecoveryCodes(const Principal& p) {
  if (auto s = RequireMfaEnabled(options_); !s.ok()) return s.error();
  const core::UnixMillis now = d_.clock.NowMillis();
  std::vector<std::string> plain;
  std::vector<mfa::RecoveryCode> rows;
  for (int i = 0; i < options_.recovery_code_count; ++i) {
    plain.push_back(d_.random.TokenBase64Url(20));
    mfa::RecoveryCode c;
    c.id = d_.random.UuidV4();
    c.user_id = p.user.id;
    c.tenant_id = p.session.tenant_id;
    c.code_hash = crypto::HmacSha256Hex(keys_.code, plain.back());
    c.created_at = now;
    rows.push_back(std::move(c));
  }
  if (auto s = d_.store.ReplaceRecoveryCodes(p.session.tenant_id, p.user.id, rows); !s.ok()) {
    return s.error();
  }
  return plain;
}

}  // namespace authd::flows
