// The MFA controller (reference MfaController): status, toggle, TOTP
// devices and enrolment, recovery codes under /auth/mfa. Its errors use
// the reference's raw shape (spec errors.md §1 B), validation errors list
// every message.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "core/errors.h"
#include "http/auth_handlers.h"
#include "http/claims_json.h"
#include "http/handler_util.h"
#include "http/request_body.h"
#include "http/route.h"
#include "http/validation.h"
#include "qr/qr_png.h"

namespace authd::http {
namespace json = boost::json;

namespace {

using flows::Principal;
using throttle::BucketId;

json::object DeviceJson(const mfa::TotpDevice& d) {
  json::object o;
  o["id"] = d.id;
  o["deviceName"] = d.name;
  o["method"] = "totp";
  o["lastUsedAt"] = IsoOrNull(d.last_used_at);
  o["createdAt"] = core::FormatIso8601(d.created_at);
  o["verified"] = d.verified;
  return o;
}

json::array DevicesJson(const std::vector<mfa::TotpDevice>& devices) {
  json::array a;
  for (const auto& d : devices) a.emplace_back(DeviceJson(d));
  return a;
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::array Names(const std::vector<mfa::MfaMethod>& v) {
  json::array a;
  for (mfa::MfaMethod m : v) a.emplace_back(mfa::MfaMethodName(m));
  return a;
}

// IsString + IsNotEmpty, class-validator messages in their run order,
// after the host's implicit conversion (numbers and booleans become
// strings; an array stays one, and is not empty).
void RequireNonEmptyString(const json::object& body, std::string_view name,
                           std::optional<std::string>* value, std::vector<std::string>* errors) {
  std::optional<std::string> type_error;
  *value = CoercedStringField(body, name, &type_error);
  if (*value && !(*value)->empty()) return;
  if (!type_error) errors->push_back(CheckMessage(Check::kIsNotEmpty, name));
  if (type_error || !*value) errors->push_back(CheckMessage(Check::kIsString, name));
}

// Optional string of at most `max` characters (converted like above).
void OptionalShortString(const json::object& body, std::string_view name, size_t max,
                         std::optional<std::string>* value, std::vector<std::string>* errors) {
  std::optional<std::string> type_error;
  auto text = CoercedStringField(body, name, &type_error);
  if (!text && !type_error) return;
  if (type_error) {
    errors->push_back(CheckMessage(Check::kMaxLength, name, std::to_string(max)));
    errors->push_back(CheckMessage(Check::kIsString, name));
    return;
  }
  *value = std::move(text);
  if (identity::CodePointLength(**value) > max) {
    errors->push_back(CheckMessage(Check::kMaxLength, name, std::to_string(max)));
  }
}

// The first class-validator message of an optional boolean.
void OptionalBool(const json::object& body, std::string_view name, bool* value,
                  std::optional<std::string>* error) {
  auto it = body.find(name);
  if (it == body.end() || it->value().is_null()) return;
  if (it->value().is_bool()) {
    *value = it->value().get_bool();
  } else if (!*error) {
    *error = CheckMessage(Check::kIsBoolean, name);
  }
}

struct ToggleDto {
  bool enabled = false;

  static ToggleDto Decode(const json::object& body, Violations* errors) {
    ToggleDto d;
    auto it = body.find("enabled");
    if (it == body.end() || it->value().is_null()) {
      errors->push_back(CheckMessage(Check::kIsDefined, "enabled"));
      errors->push_back(CheckMessage(Check::kIsBoolean, "enabled"));
    } else if (!it->value().is_bool()) {
      errors->push_back(CheckMessage(Check::kIsBoolean, "enabled"));
    } else {
      d.enabled = it->value().get_bool();
    }
    return d;
  }
};

struct SetupTotpDto {
  std::optional<std::string> label;
  std::optional<std::string> device_name;

  static SetupTotpDto Decode(const json::object& body, Violations* errors) {
    SetupTotpDto d;
    OptionalShortString(body, "label", 128, &d.label, errors);
    OptionalShortString(body, "deviceName", 128, &d.device_name, errors);
    return d;
  }
};

struct VerifyTotpSetupDto {
  std::string otp;
  std::string secret;

  static VerifyTotpSetupDto Decode(const json::object& body, Violations* errors) {
    VerifyTotpSetupDto d;
    std::optional<std::string> otp, secret;
    RequireNonEmptyString(body, "otp", &otp, errors);
    RequireNonEmptyString(body, "secret", &secret, errors);
    if (errors->empty()) {
      d.otp = *otp;
      d.secret = *secret;
    }
    return d;
  }
};

// The reference reads body.code without validation: anything that is not
// a valid recovery code is simply invalid.
struct ResetTotpDto {
  std::string code;

  static ResetTotpDto Decode(const json::object& body, Violations*) {
    ResetTotpDto d;
    if (auto it = body.find("code"); it != body.end() && it->value().is_string()) {
      d.code = std::string(it->value().get_string());
    }
    return d;
  }
};

// Read without validation, as the reference does.
struct ChallengeDto {
  std::optional<mfa::MfaMethod> method;  // nullopt: not a method name

  static ChallengeDto Decode(const json::object& body, Violations*) {
    ChallengeDto d;
    if (auto it = body.find("method"); it != body.end() && it->value().is_string()) {
      d.method = mfa::ParseMfaMethod(it->value().get_string());
    }
    return d;
  }
};

struct VerifyDto {
  mfa::MfaMethod method = mfa::MfaMethod::kTotp;
  std::string otp;
  bool trust = false;

  static VerifyDto Decode(const json::object& body, Violations* errors) {
    VerifyDto d;
    std::optional<std::string> error;
    auto m = body.find("method");
    std::optional<mfa::MfaMethod> method;
    if (m != body.end() && m->value().is_string())
      method = mfa::ParseMfaMethod(m->value().get_string());
    if (method) {
      d.method = *method;
    } else {
      error = CheckMessage(Check::kIsEnum, "method", "email, sms, totp");
    }
    // Converted to a string like the reference's host does (123456 works).
    std::optional<std::string> otp_type;
    auto otp_value = CoercedStringField(body, "otp", &otp_type);
    if (otp_value) d.otp = *otp_value;
    if (!error && otp_type) error = CheckMessage(Check::kIsString, "otp");
    if (!error && d.otp.empty()) error = CheckMessage(Check::kIsNotEmpty, "otp");
    OptionalBool(body, "trustDevice", &d.trust, &error);
    if (error) errors->push_back(*error);
    return d;
  }
};

struct VerifyRecoveryCodeDto {
  std::string code;
  bool trust = false;

  static VerifyRecoveryCodeDto Decode(const json::object& body, Violations* errors) {
    VerifyRecoveryCodeDto d;
    std::optional<std::string> error;
    std::optional<std::string> code_type;
    auto code_value = CoercedStringField(body, "code", &code_type);
    if (code_value) d.code = *code_value;
    if (code_type)
      error = CheckMessage(Check::kIsString, "code");
    else if (d.code.empty())
      error = CheckMessage(Check::kIsNotEmpty, "code");
    OptionalBool(body, "trustDevice", &d.trust, &error);
    if (error) errors->push_back(*error);
    return d;
  }
};

class MfaController {
 public:
  explicit MfaController(const AuthHandlerDeps& d) : d_(d) {}

  // Management routes answer in the raw shape; the sign-in routes
  // (challenge, verify, verify-recovery-code) are declared on the auth
  // controller in the reference: filtered errors.
  static std::vector<RouteEntry> Routes(const std::shared_ptr<MfaController>& c) {
    using C = MfaController;
    constexpr ErrorShape kRaw = ErrorShape::kRaw;
    constexpr Access kPending = Access::kSessionMfaPending;
    // Enrolment: a disabled MFA answers 403 before the limit counts.
    auto mfa_on = [c] { return flows::RequireMfaEnabled(c->d_.flows.second_factor.options()); };
    // Per account whatever the IP (codes are guessed against one user),
    // then the rate limit, both before validation.
    const std::vector<Limit> verify_limits = {
        LockoutCheck(Stage::kBeforeValidation, LimitKey::kMfaAccount, /*per_ip=*/false),
        Bucket(BucketId::kMfaVerify, Stage::kBeforeValidation, LimitKey::kMfaAccount)};
    std::vector<RouteEntry> r;
    r.push_back(MakeRoute({.method = "GET",
                           .path = "/mfa/status",
                           .exec = Exec::kRead,
                           .access = kPending,
                           .shape = kRaw},
                          c, &C::Status));
    r.push_back(MakeRoute(
        {.method = "POST", .path = "/mfa/toggle", .access = Access::kSession, .shape = kRaw}, c,
        &C::Toggle));
    r.push_back(MakeRoute({.method = "GET",
                           .path = "/mfa/devices",
                           .exec = Exec::kRead,
                           .access = kPending,
                           .shape = kRaw},
                          c, &C::Devices));
    r.push_back(MakeRoute(
        {.method = "DELETE", .path = "/mfa/devices/:id", .access = Access::kSession, .shape = kRaw},
        c, &C::DeleteDevice));
    r.push_back(MakeRoute(
        {.method = "POST",
         .path = "/mfa/setup-totp",
         .access = Access::kMfaEnrolment,
         .limits = {Bucket(BucketId::kMfaSetup, Stage::kAfterValidation, LimitKey::kMfaAccount)},
         .shape = kRaw,
         .gate = mfa_on},
        c, &C::SetupTotp));
    r.push_back(MakeRoute({.method = "POST",
                           .path = "/mfa/verify-totp-setup",
                           .access = Access::kMfaEnrolment,
                           .shape = kRaw},
                          c, &C::VerifyTotpSetup));
    r.push_back(MakeRoute({.method = "POST",
                           .path = "/mfa/generate-recovery-code",
                           .access = Access::kSession,
                           .shape = kRaw},
                          c, &C::GenerateRecoveryCodes));
    r.push_back(
        MakeRoute({.method = "POST", .path = "/mfa/reset-totp", .access = kPending, .shape = kRaw},
                  c, &C::ResetTotp));
    r.push_back(MakeRoute(
        {.method = "POST",
         .path = "/mfa/challenge",
         .access = kPending,
         .limits = {Bucket(BucketId::kMfaChallenge, Stage::kAfterValidation, LimitKey::kUser)},
         .gate = mfa_on},
        c, &C::Challenge));
    r.push_back(MakeRoute(
        {.method = "POST", .path = "/mfa/verify", .access = kPending, .limits = verify_limits}, c,
        &C::Verify));
    r.push_back(MakeRoute({.method = "POST",
                           .path = "/mfa/verify-recovery-code",
                           .access = kPending,
                           .limits = verify_limits},
                          c, &C::VerifyRecoveryCode));
    return r;
  }

 private:
  Reply Status(const Request& req, const Principal& p, const NoBody&);
  Reply Toggle(const Request& req, const Principal& p, const ToggleDto& in);
  Reply Devices(const Request& req, const Principal& p, const NoBody&);
  Reply DeleteDevice(const Request& req, const Principal& p, const NoBody&);
  Reply SetupTotp(const Request& req, const Principal& p, const SetupTotpDto& in);
  Reply VerifyTotpSetup(const Request& req, const Principal& p, const VerifyTotpSetupDto& in);
  Reply GenerateRecoveryCodes(const Request& req, const Principal& p, const NoBody&);
  Reply ResetTotp(const Request& req, const Principal& p, const ResetTotpDto& in);
  Reply Challenge(const Request& req, const Principal& p, const ChallengeDto& in);
  Reply Verify(const Request& req, const Principal& p, const VerifyDto& in);
  Reply VerifyRecoveryCode(const Request& req, const Principal& p, const VerifyRecoveryCodeDto& in);

  const AuthHandlerDeps d_;
};

Reply MfaController::Status(const Request&, const Principal& p, const NoBody&) {
  auto s = d_.flows.mfa_enrolment.Status(p);
  if (!s.ok()) return s.error();
  json::object o;
  o["isEnabled"] = s->is_enabled;
  o["verifiedMethods"] = Names(s->verified_methods);
  o["configuredMethods"] = Names(s->configured_methods);
  o["allowUserToggle"] = s->allow_user_toggle;
  o["allowMethodSelection"] = s->allow_method_selection;
  o["totpDevices"] = DevicesJson(s->devices);
  o["hasRecoveryCode"] = s->has_recovery_code;
  o["required"] = s->required;
  o["canToggle"] = s->can_toggle;
  return Json(std::move(o));
}

Reply MfaController::Toggle(const Request&, const Principal& p, const ToggleDto& in) {
  if (auto s = d_.flows.mfa_enrolment.Toggle(p, in.enabled); !s.ok()) return s.error();
  return Json({{"message", in.enabled ? "MFA enabled successfully" : "MFA disabled successfully"}});
}

Reply MfaController::Devices(const Request&, const Principal& p, const NoBody&) {
  auto devices = d_.flows.mfa_enrolment.Devices(p);
  if (!devices.ok()) return devices.error();
  Response r;
  r.body = json::serialize(DevicesJson(*devices));
  return r;
}

Reply MfaController::DeleteDevice(const Request& req, const Principal& p, const NoBody&) {
  const std::string& path = req.path;
  const std::string id = path.substr(path.find_last_of('/') + 1);
  if (auto s = d_.flows.mfa_enrolment.DeleteDevice(p, id); !s.ok()) return s.error();
  return Json({{"message", "MFA device removed successfully"}});
}

Reply MfaController::SetupTotp(const Request&, const Principal& p, const SetupTotpDto& in) {
  auto e = d_.flows.mfa_enrolment.SetupTotp(p, in.label, in.device_name);
  if (!e.ok()) return e.error();
  auto qr = qr::QrPngDataUrl(e->otpauth_url);
  if (!qr.ok()) return qr.error();
  json::object o;
  o["secret"] = e->secret;
  o["qrCode"] = *qr;
  o["otpAuthUrl"] = e->otpauth_url;
  o["issuer"] = e->issuer;
  o["account"] = e->account;
  return Json(std::move(o));
}

Reply MfaController::VerifyTotpSetup(const Request&, const Principal& p,
                                     const VerifyTotpSetupDto& in) {
  if (auto s = d_.flows.mfa_enrolment.VerifyTotpSetup(p, in.otp, in.secret); !s.ok())
    return s.error();
  return Json({{"message", "Device setup successfully"}});
}

Reply MfaController::GenerateRecoveryCodes(const Request&, const Principal& p, const NoBody&) {
  auto codes = d_.flows.mfa_enrolment.GenerateRecoveryCodes(p);
  if (!codes.ok()) return codes.error();
  json::object o;
  o["codes"] = Strings(*codes);
  o["code"] = codes->empty() ? json::value(nullptr) : json::value((*codes)[0]);
  return Json(std::move(o));
}

Reply MfaController::ResetTotp(const Request&, const Principal& p, const ResetTotpDto& in) {
  if (auto s = d_.flows.second_factor.ResetTotp(p, in.code); !s.ok()) return s.error();
  return Json({{"message", "MFA reset successfully"}});
}

Reply MfaController::Challenge(const Request&, const Principal& p, const ChallengeDto& in) {
  if (auto s = d_.flows.second_factor.Challenge(p, in.method); !s.ok()) return s.error();
  return Json({{"message", "MFA code sent successfully"}});
}

Reply MfaController::Verify(const Request& req, const Principal& p, const VerifyDto& in) {
  auto r = d_.flows.second_factor.Verify(p, in.method, in.otp, in.trust, ClientOf(req));
  if (!r.ok()) return r.error();
  return RenderAuthResult(req, d_.transport, *r, "2FA verification successful", std::nullopt,
                          d_.flows.second_factor.options().trusted_device_ttl_ms / 1000);
}

Reply MfaController::VerifyRecoveryCode(const Request& req, const Principal& p,
                                        const VerifyRecoveryCodeDto& in) {
  auto r = d_.flows.second_factor.VerifyRecoveryCode(p, in.code, in.trust, ClientOf(req));
  if (!r.ok()) return r.error();
  return RenderAuthResult(req, d_.transport, *r, "Recovery code verification successful",
                          std::nullopt,
                          d_.flows.second_factor.options().trusted_device_ttl_ms / 1000);
}

}  // namespace

std::vector<RouteEntry> MfaRoutes(const AuthHandlerDeps& deps) {
  return MfaController::Routes(std::make_shared<MfaController>(deps));
}

}  // namespace authd::http
