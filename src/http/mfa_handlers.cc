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
#include "http/guard.h"
#include "http/handler_util.h"
#include "http/request_body.h"
#include "http/validation.h"
#include "qr/qr_png.h"

namespace authd::http {
namespace json = boost::json;

namespace {

// 400 {"message":[...],"error":"Bad Request","statusCode":400}.
Response RawValidation(const std::vector<std::string>& messages) {
  json::array list;
  for (const std::string& m : messages) list.emplace_back(m);
  json::object o;
  o["message"] = std::move(list);
  o["error"] = "Bad Request";
  o["statusCode"] = 400;
  Response r;
  r.status = 400;
  r.body = json::serialize(o);
  return r;
}

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
                           std::optional<std::string>* value,
                           std::vector<std::string>* errors) {
  std::optional<std::string> type_error;
  *value = CoercedStringField(body, name, &type_error);
  if (*value && !(*value)->empty()) return;
  if (!type_error) errors->push_back(CheckMessage(Check::kIsNotEmpty, name));
  if (type_error || !*value) errors->push_back(CheckMessage(Check::kIsString, name));
}

// Optional string of at most `max` characters (converted like above).
void OptionalShortString(const json::object& body, std::string_view name, size_t max,
                         std::optional<std::string>* value,
                         std::vector<std::string>* errors) {
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

class MfaController {
 public:
  explicit MfaController(const AuthHandlerDeps& d) : d_(d) {}

  static void Register(std::shared_ptr<MfaController> self, Router& r,
                       const std::string& base) {
    auto bind = [&self](Response (MfaController::*fn)(const Request&)) {
      return [c = self, fn](const Request& req) { return ((*c).*fn)(req); };
    };
    const std::string mfa = base + "/mfa";
    r.Add("GET", mfa + "/status", Exec::kRead, bind(&MfaController::Status));
    r.Add("POST", mfa + "/toggle", Exec::kBlocking, bind(&MfaController::Toggle));
    r.Add("GET", mfa + "/devices", Exec::kRead, bind(&MfaController::Devices));
    r.AddParam("DELETE", mfa + "/devices/", Exec::kBlocking,
               bind(&MfaController::DeleteDevice));
    r.Add("POST", mfa + "/setup-totp", Exec::kBlocking, bind(&MfaController::SetupTotp));
    r.Add("POST", mfa + "/verify-totp-setup", Exec::kBlocking,
          bind(&MfaController::VerifyTotpSetup));
    r.Add("POST", mfa + "/generate-recovery-code", Exec::kBlocking,
          bind(&MfaController::GenerateRecoveryCodes));
    r.Add("POST", mfa + "/reset-totp", Exec::kBlocking, bind(&MfaController::ResetTotp));
    // Declared on the auth controller in the reference: filtered errors.
    r.Add("POST", mfa + "/challenge", Exec::kBlocking, bind(&MfaController::Challenge));
    r.Add("POST", mfa + "/verify", Exec::kBlocking, bind(&MfaController::Verify));
    r.Add("POST", mfa + "/verify-recovery-code", Exec::kBlocking,
          bind(&MfaController::VerifyRecoveryCode));
  }

 private:
  Response Status(const Request& req);
  Response Toggle(const Request& req);
  Response Devices(const Request& req);
  Response DeleteDevice(const Request& req);
  Response SetupTotp(const Request& req);
  Response VerifyTotpSetup(const Request& req);
  Response GenerateRecoveryCodes(const Request& req);
  Response ResetTotp(const Request& req);
  Response Challenge(const Request& req);
  Response Verify(const Request& req);
  Response VerifyRecoveryCode(const Request& req);

  // The body (malformed JSON -> the framework 400), then the guard, in
  // the reference's middleware/guard order.
  struct Call {
    std::optional<Response> early;
    json::object body;
    flows::Principal principal;
  };
  Call Begin(const Request& req, bool skip_mfa, ErrorShape shape = ErrorShape::kRaw);
  // Enrolment routes: MFA-enforced, except that a pending session of a
  // user with nothing to verify with (mfa.required, nothing enrolled) may
  // enrol, since that is all it can do.
  Call BeginEnrolment(const Request& req);

  Response Fail(const Request& req, const core::Error& e) {
    return http::Fail(req, e, ErrorShape::kRaw);
  }

  const AuthHandlerDeps d_;
};

MfaController::Call MfaController::Begin(const Request& req, bool skip_mfa,
                                         ErrorShape shape) {
  Call c;
  auto parsed = ParseJsonBody(req);
  if (auto* err = std::get_if<Response>(&parsed)) {
    c.early = std::move(*err);
    return c;
  }
  c.body = std::move(std::get<json::object>(parsed));
  auto p = Authenticate(req, d_.transport, d_.sessions, skip_mfa);
  if (!p.ok()) {
    c.early = http::Fail(req, p.error(), shape);
    return c;
  }
  c.principal = std::move(*p);
  return c;
}

MfaController::Call MfaController::BeginEnrolment(const Request& req) {
  Call c = Begin(req, /*skip_mfa=*/true);
  if (c.early) return c;
  const session::TokenClaims& claims = c.principal.claims;
  if (claims.is_mfa_enabled && !claims.is_mfa_verified) {
    auto methods =
        d_.second_factor.VerifiedMethods(c.principal.session.tenant_id, c.principal.user);
    if (!methods.ok()) {
      c.early = Fail(req, methods.error());
    } else if (!methods->empty()) {
      c.early = Fail(req, core::MakeError(core::Err::kMfaRequired));
    }
  }
  return c;
}

Response MfaController::Status(const Request& req) {
  Call c = Begin(req, /*skip_mfa=*/true);
  if (c.early) return std::move(*c.early);
  auto s = d_.mfa_enrolment.Status(c.principal);
  if (!s.ok()) return Fail(req, s.error());
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

Response MfaController::Toggle(const Request& req) {
  Call c = Begin(req, /*skip_mfa=*/false);
  if (c.early) return std::move(*c.early);
  auto it = c.body.find("enabled");
  if (it == c.body.end() || it->value().is_null()) {
    return RawValidation({CheckMessage(Check::kIsDefined, "enabled"),
                          CheckMessage(Check::kIsBoolean, "enabled")});
  }
  if (!it->value().is_bool()) return RawValidation({CheckMessage(Check::kIsBoolean, "enabled")});
  const bool enabled = it->value().get_bool();
  if (auto s = d_.mfa_enrolment.Toggle(c.principal, enabled); !s.ok()) return Fail(req, s.error());
  return Json({{"message", enabled ? "MFA enabled successfully" : "MFA disabled successfully"}});
}

Response MfaController::Devices(const Request& req) {
  Call c = Begin(req, /*skip_mfa=*/true);
  if (c.early) return std::move(*c.early);
  auto devices = d_.mfa_enrolment.Devices(c.principal);
  if (!devices.ok()) return Fail(req, devices.error());
  Response r;
  r.body = json::serialize(DevicesJson(*devices));
  return r;
}

Response MfaController::DeleteDevice(const Request& req) {
  Call c = Begin(req, /*skip_mfa=*/false);
  if (c.early) return std::move(*c.early);
  const std::string& path = req.path;
  const std::string id = path.substr(path.find_last_of('/') + 1);
  if (auto s = d_.mfa_enrolment.DeleteDevice(c.principal, id); !s.ok()) return Fail(req, s.error());
  return Json({{"message", "MFA device removed successfully"}});
}

Response MfaController::SetupTotp(const Request& req) {
  Call c = BeginEnrolment(req);
  if (c.early) return std::move(*c.early);
  std::vector<std::string> errors;
  std::optional<std::string> label, device_name;
  OptionalShortString(c.body, "label", 128, &label, &errors);
  OptionalShortString(c.body, "deviceName", 128, &device_name, &errors);
  if (!errors.empty()) return RawValidation(errors);
  auto e = d_.mfa_enrolment.SetupTotp(c.principal, label, device_name, req.remote_ip);
  if (!e.ok()) return Fail(req, e.error());
  auto qr = qr::QrPngDataUrl(e->otpauth_url);
  if (!qr.ok()) return Fail(req, qr.error());
  json::object o;
  o["secret"] = e->secret;
  o["qrCode"] = *qr;
  o["otpAuthUrl"] = e->otpauth_url;
  o["issuer"] = e->issuer;
  o["account"] = e->account;
  return Json(std::move(o));
}

Response MfaController::VerifyTotpSetup(const Request& req) {
  Call c = BeginEnrolment(req);
  if (c.early) return std::move(*c.early);
  std::vector<std::string> errors;
  std::optional<std::string> otp, secret;
  RequireNonEmptyString(c.body, "otp", &otp, &errors);
  RequireNonEmptyString(c.body, "secret", &secret, &errors);
  if (!errors.empty()) return RawValidation(errors);
  if (auto s = d_.mfa_enrolment.VerifyTotpSetup(c.principal, *otp, *secret); !s.ok()) {
    return Fail(req, s.error());
  }
  return Json({{"message", "Device setup successfully"}});
}

Response MfaController::GenerateRecoveryCodes(const Request& req) {
  Call c = Begin(req, /*skip_mfa=*/false);
  if (c.early) return std::move(*c.early);
  auto codes = d_.mfa_enrolment.GenerateRecoveryCodes(c.principal);
  if (!codes.ok()) return Fail(req, codes.error());
  json::object o;
  o["codes"] = Strings(*codes);
  o["code"] = codes->empty() ? json::value(nullptr) : json::value((*codes)[0]);
  return Json(std::move(o));
}

Response MfaController::ResetTotp(const Request& req) {
  Call c = Begin(req, /*skip_mfa=*/true);
  if (c.early) return std::move(*c.early);
  // The reference reads body.code without validation: anything that is
  // not a valid recovery code is simply invalid.
  std::string code;
  if (auto it = c.body.find("code"); it != c.body.end() && it->value().is_string()) {
    code = std::string(it->value().get_string());
  }
  if (auto s = d_.second_factor.ResetTotp(c.principal, code); !s.ok()) return Fail(req, s.error());
  return Json({{"message", "MFA reset successfully"}});
}

Response MfaController::Challenge(const Request& req) {
  Call c = Begin(req, /*skip_mfa=*/true, ErrorShape::kFiltered);
  if (c.early) return std::move(*c.early);
  std::string method;
  if (auto it = c.body.find("method"); it != c.body.end() && it->value().is_string()) {
    method = std::string(it->value().get_string());
  }
  if (auto s = d_.second_factor.Challenge(c.principal, mfa::ParseMfaMethod(method),
                                          req.remote_ip);
      !s.ok()) {
    return http::Fail(req, s.error());
  }
  return Json({{"message", "MFA code sent successfully"}});
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

Response MfaController::Verify(const Request& req) {
  Call c = Begin(req, /*skip_mfa=*/true, ErrorShape::kFiltered);
  if (c.early) return std::move(*c.early);
  if (auto s = d_.second_factor.Throttle(c.principal, req.remote_ip); !s.ok()) {
    return http::Fail(req, s.error());
  }
  std::optional<std::string> error;
  std::string method, otp;
  auto m = c.body.find("method");
  if (m != c.body.end() && m->value().is_string()) method = std::string(m->value().get_string());
  const std::optional<mfa::MfaMethod> parsed = mfa::ParseMfaMethod(method);
  if (!parsed) {
    error = CheckMessage(Check::kIsEnum, "method", "email, sms, totp");
  }
  // Converted to a string like the reference's host does (123456 works).
  std::optional<std::string> otp_type;
  auto otp_value = CoercedStringField(c.body, "otp", &otp_type);
  if (otp_value) otp = *otp_value;
  if (!error && otp_type) error = CheckMessage(Check::kIsString, "otp");
  if (!error && otp.empty()) error = CheckMessage(Check::kIsNotEmpty, "otp");
  bool trust = false;
  OptionalBool(c.body, "trustDevice", &trust, &error);
  if (error) return http::Fail(req, Validation(*error));
  auto r = d_.second_factor.Verify(c.principal, *parsed, otp, trust, ClientOf(req));
  if (!r.ok()) return http::Fail(req, r.error());
  return RenderAuthResult(req, d_.transport, *r, "2FA verification successful", std::nullopt,
                          d_.second_factor.options().trusted_device_ttl_ms / 1000);
}

Response MfaController::VerifyRecoveryCode(const Request& req) {
  Call c = Begin(req, /*skip_mfa=*/true, ErrorShape::kFiltered);
  if (c.early) return std::move(*c.early);
  if (auto s = d_.second_factor.Throttle(c.principal, req.remote_ip); !s.ok()) {
    return http::Fail(req, s.error());
  }
  std::optional<std::string> error;
  std::string code;
  std::optional<std::string> code_type;
  auto code_value = CoercedStringField(c.body, "code", &code_type);
  if (code_value) code = *code_value;
  if (code_type) error = CheckMessage(Check::kIsString, "code");
  else if (code.empty()) error = CheckMessage(Check::kIsNotEmpty, "code");
  bool trust = false;
  OptionalBool(c.body, "trustDevice", &trust, &error);
  if (error) return http::Fail(req, Validation(*error));
  auto r = d_.second_factor.VerifyRecoveryCode(c.principal, code, trust, ClientOf(req));
  if (!r.ok()) return http::Fail(req, r.error());
  return RenderAuthResult(req, d_.transport, *r, "Recovery code verification successful",
                          std::nullopt, d_.second_factor.options().trusted_device_ttl_ms / 1000);
}

}  // namespace

void RegisterMfaRoutes(Router& router, const AuthHandlerDeps& deps) {
  MfaController::Register(std::make_shared<MfaController>(deps), router,
                          BasePath(deps.transport.options()));
}

}  // namespace authd::http
