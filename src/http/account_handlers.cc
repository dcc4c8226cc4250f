// Password recovery and contact verification routes of the auth
// controller: forgot-password, verify-forgot-password-otp, reset-password,
// send-/verify-email, send-/verify-phone. Validation mirrors the
// reference's DTOs under its host's ValidationPipe (first message only;
// identifiers and codes go through its implicit conversion to string, so
// a numeric code works; passwords and tokens must be strings).
#include <memory>
#include <optional>
#include <string>

#include <boost/json.hpp>

#include "http/auth_handlers.h"
#include "http/guard.h"
#include "http/handler_util.h"
#include "http/request_body.h"
#include "http/validation.h"

namespace authd::http {
namespace json = boost::json;

namespace {

using identity::VerifiedChannel;

// class-validator IsNotEmpty, and JavaScript truthiness, of a converted
// string field: absent, null and "" fail.
bool Blank(const std::optional<std::string>& v) { return !v || v->empty(); }

// The first message of a required string field with IsString + IsNotEmpty.
void RequireString(const json::object& body, std::string_view name,
                   std::optional<std::string>* value, std::optional<std::string>* error) {
  std::optional<std::string> type_error;
  *value = CoercedStringField(body, name, &type_error);
  if (*error) return;
  if (type_error) *error = type_error;
  else if (Blank(*value)) *error = CheckMessage(Check::kIsNotEmpty, name);
}

void OptionalTenant(const json::object& body, std::optional<std::string>* tenant,
                    std::optional<std::string>* error) {
  std::optional<std::string> type_error;
  *tenant = CoercedStringField(body, "tenantId", &type_error);
  if (*error) return;
  if (type_error || (*tenant && !IsUuid(**tenant))) {
    *error = CheckMessage(Check::kIsUuid, "tenantId");
  }
}

// email: ValidateIf(!phone) IsEmail IsNotEmpty; phone: ValidateIf(!email)
// then IsPhoneNumber (`strict_phone`) or IsString, and IsNotEmpty. Returns
// the target with blank values dropped; the caller reads tenantId.
flows::RecoveryTarget Target(const json::object& body, bool strict_phone,
                             std::optional<std::string>* error) {
  flows::RecoveryTarget t;
  std::optional<std::string> email_type, phone_type;
  t.email = CoercedStringField(body, "email", &email_type);
  t.phone = CoercedStringField(body, "phone", &phone_type);
  if (Blank(t.phone)) {
    if (Blank(t.email) && !email_type) *error = CheckMessage(Check::kIsNotEmpty, "email");
    else if (email_type || !IsEmail(*t.email)) *error = CheckMessage(Check::kIsEmail, "email");
  }
  if (!*error && Blank(t.email)) {
    if (strict_phone) {
      if (phone_type || Blank(t.phone) || !IsPhoneNumber(*t.phone)) {
        *error = Blank(t.phone) && !phone_type ? CheckMessage(Check::kIsNotEmpty, "phone")
                                               : CheckMessage(Check::kIsPhoneNumber, "phone");
      }
    } else if (phone_type) {
      *error = CheckMessage(Check::kIsString, "phone");
    } else if (Blank(t.phone)) {
      *error = CheckMessage(Check::kIsNotEmpty, "phone");
    }
  }
  // ValidateIf would skip a field the other one makes optional, but a value
  // that cannot even be converted to a string (an array) is refused.
  if (!*error && email_type) *error = CheckMessage(Check::kIsEmail, "email");
  if (!*error && phone_type) {
    *error = CheckMessage(strict_phone ? Check::kIsPhoneNumber : Check::kIsString, "phone");
  }
  if (Blank(t.email)) t.email.reset();
  if (Blank(t.phone)) t.phone.reset();
  return t;
}

class AccountController {
 public:
  explicit AccountController(const AuthHandlerDeps& d) : d_(d) {}

  static void Register(std::shared_ptr<AccountController> self, Router& r,
                       const std::string& base) {
    auto bind = [&self](Response (AccountController::*fn)(const Request&)) {
      return [c = self, fn](const Request& req) { return ((*c).*fn)(req); };
    };
    // Sending a code is a database write; reset hashes the new password.
    r.Add("POST", base + "/forgot-password", Exec::kBlocking,
          bind(&AccountController::Forgot));
    r.Add("POST", base + "/verify-forgot-password-otp", Exec::kBlocking,
          bind(&AccountController::VerifyResetCode));
    r.Add("POST", base + "/reset-password", Exec::kHashing, bind(&AccountController::Reset));
    r.Add("POST", base + "/send-email-verification", Exec::kBlocking,
          bind(&AccountController::SendEmail));
    r.Add("POST", base + "/verify-email", Exec::kBlocking,
          bind(&AccountController::VerifyEmail));
    r.Add("POST", base + "/send-phone-verification", Exec::kBlocking,
          bind(&AccountController::SendPhone));
    r.Add("POST", base + "/verify-phone", Exec::kBlocking,
          bind(&AccountController::VerifyPhone));
  }

 private:
  Response Forgot(const Request& req);
  Response VerifyResetCode(const Request& req);
  Response Reset(const Request& req);
  Response SendEmail(const Request& req) { return Send(req, VerifiedChannel::kEmail); }
  Response VerifyEmail(const Request& req) { return Verify(req, VerifiedChannel::kEmail); }
  Response SendPhone(const Request& req) { return Send(req, VerifiedChannel::kPhone); }
  Response VerifyPhone(const Request& req) { return Verify(req, VerifiedChannel::kPhone); }
  Response Send(const Request& req, VerifiedChannel channel);
  Response Verify(const Request& req, VerifiedChannel channel);

  const AuthHandlerDeps d_;
};

Response AccountController::Forgot(const Request& req) {
  auto parsed = ParseJsonBody(req);
  if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
  const json::object& body = std::get<json::object>(parsed);
  if (auto s = d_.recovery.ThrottleForgot(ThrottleIdentifier(body, /*phone_first=*/true),
                                          req.remote_ip);
      !s.ok()) {
    return Fail(req, s.error());
  }
  std::optional<std::string> error;
  flows::RecoveryTarget target = Target(body, /*strict_phone=*/true, &error);
  OptionalTenant(body, &target.tenant_id, &error);
  if (error) return Fail(req, Validation(*error));
  if (auto s = d_.recovery.Forgot(target); !s.ok()) return Fail(req, s.error());
  return Json({{"message", "If your email is registered, you will receive a password reset link"}});
}

Response AccountController::VerifyResetCode(const Request& req) {
  auto parsed = ParseJsonBody(req);
  if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
  const json::object& body = std::get<json::object>(parsed);
  if (auto s = d_.recovery.ThrottleVerifyCode(ThrottleIdentifier(body, /*phone_first=*/true),
                                                  req.remote_ip);
      !s.ok()) {
    return Fail(req, s.error());
  }
  // Property order of the DTO: email, phone, code, tenantId.
  std::optional<std::string> error, code;
  flows::RecoveryTarget target = Target(body, /*strict_phone=*/false, &error);
  RequireString(body, "code", &code, &error);
  OptionalTenant(body, &target.tenant_id, &error);
  if (error) return Fail(req, Validation(*error));
  auto token = d_.recovery.VerifyCode(target, *code);
  if (!token.ok()) return Fail(req, token.error());
  return Json({{"message", "OTP verified successfully"}, {"resetToken", *token}});
}

Response AccountController::Reset(const Request& req) {
  auto parsed = ParseJsonBody(req);
  if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
  const json::object& body = std::get<json::object>(parsed);
  // Token and password must be JSON strings: unlike codes, converting a
  // number or boolean into a password is never what the client meant.
  std::optional<std::string> error;
  std::optional<std::string> token = StringField(body, "token", &error);
  if (!error && Blank(token)) error = CheckMessage(Check::kIsNotEmpty, "token");
  std::optional<std::string> password = StringField(body, "newPassword", &error);
  if (!error && (!password || identity::CodePointLength(*password) < 8)) {
    error = CheckMessage(Check::kMinLength, "newPassword", "8");
  }
  if (error) return Fail(req, Validation(*error));
  if (auto s = d_.recovery.Reset(*token, *password); !s.ok()) return Fail(req, s.error());
  return Json({{"message", "Password has been reset successfully"}});
}

Response AccountController::Send(const Request& req, VerifiedChannel channel) {
  auto parsed = ParseJsonBody(req);
  if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
  const json::object& body = std::get<json::object>(parsed);
  auto p = Authenticate(req, d_.transport, d_.sessions, /*skip_mfa=*/true);
  if (!p.ok()) return Fail(req, p.error());
  std::optional<std::string> error, tenant;
  OptionalTenant(body, &tenant, &error);
  if (error) return Fail(req, Validation(*error));
  if (auto s = d_.verification.ThrottleSend(p->user.id, req.remote_ip); !s.ok()) {
    return Fail(req, s.error());
  }
  if (auto s = d_.verification.Send(*p, channel); !s.ok()) return Fail(req, s.error());
  return Json({{"message", channel == VerifiedChannel::kEmail ? "Verification email sent"
                                                               : "Verification SMS sent"}});
}

Response AccountController::Verify(const Request& req, VerifiedChannel channel) {
  auto parsed = ParseJsonBody(req);
  if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
  const json::object& body = std::get<json::object>(parsed);
  auto p = Authenticate(req, d_.transport, d_.sessions, /*skip_mfa=*/true);
  if (!p.ok()) return Fail(req, p.error());
  std::optional<std::string> error, code, tenant;
  RequireString(body, "code", &code, &error);
  OptionalTenant(body, &tenant, &error);
  if (error) return Fail(req, Validation(*error));
  if (auto s = d_.verification.ThrottleVerify(p->user.id, req.remote_ip); !s.ok()) {
    return Fail(req, s.error());
  }
  if (auto s = d_.verification.Verify(*p, channel, *code); !s.ok()) return Fail(req, s.error());
  return Json({{"message", channel == VerifiedChannel::kEmail ? "Email verified successfully"
                                                               : "Phone verified successfully"}});
}

}  // namespace

void RegisterAccountRoutes(Router& router, const AuthHandlerDeps& deps) {
  AccountController::Register(std::make_shared<AccountController>(deps), router,
                              BasePath(deps.transport.options()));
}

}  // namespace authd::http
