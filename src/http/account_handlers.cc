// Password and contact verification routes of the auth controller:
// change-password, forgot-password, verify-forgot-password-otp,
// reset-password, send-/verify-email, send-/verify-phone. Validation mirrors the
// reference's DTOs under its host's ValidationPipe (first message only;
// identifiers and codes go through its implicit conversion to string, so
// a numeric code works; passwords and tokens must be strings).
#include <memory>
#include <optional>
#include <string>

#include <boost/json.hpp>

#include "http/auth_handlers.h"
#include "http/handler_util.h"
#include "http/request_body.h"
#include "http/route.h"
#include "http/validation.h"

namespace authd::http {
namespace json = boost::json;

namespace {

using flows::Principal;
using identity::VerifiedChannel;
using throttle::BucketId;

// class-validator IsNotEmpty, and JavaScript truthiness, of a converted
// string field: absent, null and "" fail.
bool Blank(const std::optional<std::string>& v) { return !v || v->empty(); }

// The first message of a required string field with IsString + IsNotEmpty.
void RequireString(const json::object& body, std::string_view name,
                   std::optional<std::string>* value, std::optional<std::string>* error) {
  std::optional<std::string> type_error;
  *value = CoercedStringField(body, name, &type_error);
  if (*error) return;
  if (type_error)
    *error = type_error;
  else if (Blank(*value))
    *error = CheckMessage(Check::kIsNotEmpty, name);
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
    if (Blank(t.email) && !email_type)
      *error = CheckMessage(Check::kIsNotEmpty, "email");
    else if (email_type || !IsEmail(*t.email))
      *error = CheckMessage(Check::kIsEmail, "email");
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

// authd: a password is never converted from another JSON type.
struct ChangePasswordDto {
  std::string current;
  std::string next;
  std::optional<bool> remember;

  static ChangePasswordDto Decode(const json::object& body, Violations* errors) {
    ChangePasswordDto d;
    std::optional<std::string> current_type, next_type, error;
    auto current = StringField(body, "currentPassword", &current_type);
    auto next = StringField(body, "newPassword", &next_type);
    if (current_type) {
      error = current_type;
    } else if (!current || identity::CodePointLength(*current) < 8) {
      error = CheckMessage(Check::kMinLength, "currentPassword", "8");
    } else if (next_type) {
      error = next_type;
    } else if (!next || *next == *current) {
      error = CheckMessage(Check::kPasswordNotSameAsCurrent, "newPassword");
    } else if (identity::CodePointLength(*next) < 8) {
      error = CheckMessage(Check::kMinLength, "newPassword", "8");
    }
    d.remember = RememberMe(body);
    if (error) {
      errors->push_back(*error);
      return d;
    }
    d.current = *current;
    d.next = *next;
    return d;
  }
};

struct ForgotPasswordDto {
  flows::RecoveryTarget target;

  static ForgotPasswordDto Decode(const json::object& body, Violations* errors) {
    ForgotPasswordDto d;
    std::optional<std::string> error;
    d.target = Target(body, /*strict_phone=*/true, &error);
    OptionalTenant(body, &d.target.tenant_id, &error);
    if (error) errors->push_back(*error);
    return d;
  }
};

// Property order of the DTO: email, phone, code, tenantId.
struct VerifyResetCodeDto {
  flows::RecoveryTarget target;
  std::string code;

  static VerifyResetCodeDto Decode(const json::object& body, Violations* errors) {
    VerifyResetCodeDto d;
    std::optional<std::string> error, code;
    d.target = Target(body, /*strict_phone=*/false, &error);
    RequireString(body, "code", &code, &error);
    OptionalTenant(body, &d.target.tenant_id, &error);
    if (error)
      errors->push_back(*error);
    else
      d.code = *code;
    return d;
  }
};

// Token and password must be JSON strings: unlike codes, converting a
// number or boolean into a password is never what the client meant.
struct ResetPasswordDto {
  std::string token;
  std::string password;

  static ResetPasswordDto Decode(const json::object& body, Violations* errors) {
    ResetPasswordDto d;
    std::optional<std::string> error;
    std::optional<std::string> token = StringField(body, "token", &error);
    if (!error && Blank(token)) error = CheckMessage(Check::kIsNotEmpty, "token");
    std::optional<std::string> password = StringField(body, "newPassword", &error);
    if (!error && (!password || identity::CodePointLength(*password) < 8)) {
      error = CheckMessage(Check::kMinLength, "newPassword", "8");
    }
    if (error) {
      errors->push_back(*error);
      return d;
    }
    d.token = *token;
    d.password = *password;
    return d;
  }
};

// send-email-verification, send-phone-verification: an optional tenantId.
struct SendCodeDto {
  static SendCodeDto Decode(const json::object& body, Violations* errors) {
    std::optional<std::string> error, tenant;
    OptionalTenant(body, &tenant, &error);
    if (error) errors->push_back(*error);
    return {};
  }
};

// verify-email, verify-phone: code, then an optional tenantId.
struct VerifyCodeDto {
  std::string code;

  static VerifyCodeDto Decode(const json::object& body, Violations* errors) {
    VerifyCodeDto d;
    std::optional<std::string> error, code, tenant;
    RequireString(body, "code", &code, &error);
    OptionalTenant(body, &tenant, &error);
    if (error)
      errors->push_back(*error);
    else
      d.code = *code;
    return d;
  }
};

class AccountController {
 public:
  explicit AccountController(const AuthHandlerDeps& d) : d_(d) {}

  static std::vector<RouteEntry> Routes(const std::shared_ptr<AccountController>& c) {
    using C = AccountController;
    constexpr Access kSession = Access::kSessionMfaPending;
    std::vector<RouteEntry> r;
    // Body parsing (400), the guard (401), the rate limit (429, authd's
    // own), then validation, as in the reference's middleware / guard /
    // pipe order.
    auto by_user = [c](const Request& req) { return c->UserQueueKey(req); };
    r.push_back(MakeRoute(
        {.method = "POST",
         .path = "/change-password",
         .exec = Exec::kHashing,
         .queue_key = by_user,
         .access = kSession,
         .limits = {Bucket(BucketId::kChangePassword, Stage::kBeforeValidation, LimitKey::kUser)}},
        c, &C::ChangePassword));
    // Sending a code is a database write; reset hashes the new password.
    r.push_back(MakeRoute({.method = "POST",
                           .path = "/forgot-password",
                           .limits = {Bucket(BucketId::kForgotPassword, Stage::kBeforeAuth,
                                             LimitKey::kBodyIdentifierPhoneFirst)}},
                          c, &C::Forgot));
    r.push_back(MakeRoute({.method = "POST",
                           .path = "/verify-forgot-password-otp",
                           .limits = {Bucket(BucketId::kVerifyOtp, Stage::kBeforeAuth,
                                             LimitKey::kBodyIdentifierPhoneFirst)}},
                          c, &C::VerifyResetCode));
    r.push_back(MakeRoute({.method = "POST", .path = "/reset-password", .exec = Exec::kHashing}, c,
                          &C::Reset));
    // Contact verification counts after validation.
    const std::vector<Limit> send = {
        Bucket(BucketId::kVerificationSend, Stage::kAfterValidation, LimitKey::kUser)};
    const std::vector<Limit> verify = {
        Bucket(BucketId::kVerifyOtp, Stage::kAfterValidation, LimitKey::kUser)};
    r.push_back(MakeRoute(
        {.method = "POST", .path = "/send-email-verification", .access = kSession, .limits = send},
        c, &C::SendEmail));
    r.push_back(
        MakeRoute({.method = "POST", .path = "/verify-email", .access = kSession, .limits = verify},
                  c, &C::VerifyEmail));
    r.push_back(MakeRoute(
        {.method = "POST", .path = "/send-phone-verification", .access = kSession, .limits = send},
        c, &C::SendPhone));
    r.push_back(
        MakeRoute({.method = "POST", .path = "/verify-phone", .access = kSession, .limits = verify},
                  c, &C::VerifyPhone));
    return r;
  }

 private:
  Reply ChangePassword(const Request& req, const Principal& p, const ChangePasswordDto& in);
  Reply Forgot(const Request& req, const Principal&, const ForgotPasswordDto& in);
  Reply VerifyResetCode(const Request& req, const Principal&, const VerifyResetCodeDto& in);
  Reply Reset(const Request& req, const Principal&, const ResetPasswordDto& in);
  Reply SendEmail(const Request&, const Principal& p, const SendCodeDto&) {
    return Send(p, VerifiedChannel::kEmail);
  }
  Reply VerifyEmail(const Request&, const Principal& p, const VerifyCodeDto& in) {
    return Verify(p, VerifiedChannel::kEmail, in.code);
  }
  Reply SendPhone(const Request&, const Principal& p, const SendCodeDto&) {
    return Send(p, VerifiedChannel::kPhone);
  }
  Reply VerifyPhone(const Request&, const Principal& p, const VerifyCodeDto& in) {
    return Verify(p, VerifiedChannel::kPhone, in.code);
  }
  Reply Send(const Principal& p, VerifiedChannel channel);
  Reply Verify(const Principal& p, VerifiedChannel channel, const std::string& code);

  // "user:<id>" of a valid access token, else "" (I/O thread: no lookup).
  std::string UserQueueKey(const Request& req) const {
    auto token = d_.transport.AccessToken(req);
    if (!token || token->api_key) return "";
    auto user = d_.flows.sessions.TokenUser(token->token);
    return user ? "user:" + *user : "";
  }

  const AuthHandlerDeps d_;
};

Reply AccountController::ChangePassword(const Request& req, const Principal& p,
                                        const ChangePasswordDto& in) {
  if (auto s = d_.flows.passwords.ChangePassword(p.session.tenant_id, p.user.id, in.current,
                                                 in.next, ClientOf(req));
      !s.ok()) {
    return s.error();
  }
  return d_.transport.TokenResponse(req, std::nullopt,
                                    {{"message", "Password changed successfully"}}, in.remember);
}

Reply AccountController::Forgot(const Request&, const Principal&, const ForgotPasswordDto& in) {
  if (auto s = d_.flows.recovery.Forgot(in.target); !s.ok()) return s.error();
  return Json({{"message", "If your email is registered, you will receive a password reset link"}});
}

Reply AccountController::VerifyResetCode(const Request&, const Principal&,
                                         const VerifyResetCodeDto& in) {
  auto token = d_.flows.recovery.VerifyCode(in.target, in.code);
  if (!token.ok()) return token.error();
  return Json({{"message", "OTP verified successfully"}, {"resetToken", *token}});
}

Reply AccountController::Reset(const Request&, const Principal&, const ResetPasswordDto& in) {
  if (auto s = d_.flows.recovery.Reset(in.token, in.password); !s.ok()) return s.error();
  return Json({{"message", "Password has been reset successfully"}});
}

Reply AccountController::Send(const Principal& p, VerifiedChannel channel) {
  if (auto s = d_.flows.verification.Send(p, channel); !s.ok()) return s.error();
  return Json({{"message", channel == VerifiedChannel::kEmail ? "Verification email sent"
                                                              : "Verification SMS sent"}});
}

Reply AccountController::Verify(const Principal& p, VerifiedChannel channel,
                                const std::string& code) {
  if (auto s = d_.flows.verification.Verify(p, channel, code); !s.ok()) return s.error();
  return Json({{"message", channel == VerifiedChannel::kEmail ? "Email verified successfully"
                                                              : "Phone verified successfully"}});
}

}  // namespace

std::vector<RouteEntry> AccountRoutes(const AuthHandlerDeps& deps) {
  return AccountController::Routes(std::make_shared<AccountController>(deps));
}

}  // namespace authd::http
