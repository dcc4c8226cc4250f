// Option table, part 3: otp, password reset tokens, courier (how e-mail and
// SMS leave authd), smtp, webhook, events.
#include <string>
#include <utility>
#include <vector>

#include "config/option_builders.h"
#include "config/option_table.h"

namespace authd::config::internal {
namespace {

core::Status NonEmptyItem(std::string& s) {
  if (s.empty()) return Invalid("items must not be empty");
  return core::Status::Ok();
}

core::Status HttpUrl(std::string& s) {
  if (s.empty() || s.starts_with("http://") || s.starts_with("https://")) {
    return core::Status::Ok();
  }
  return Invalid("expected an http:// or https:// URL");
}

core::Status HttpUrlItem(std::string& s) {
  if (s.empty()) return Invalid("items must not be empty");
  return HttpUrl(s);
}

core::Status SmtpUrl(std::string& s) {
  if (s.empty() || s.starts_with("smtp://") || s.starts_with("smtps://")) {
    return core::Status::Ok();
  }
  return Invalid("expected smtp://host[:port] (STARTTLS) or smtps://host[:port] (TLS)");
}

core::Status OneLine(std::string& s) {
  if (s.find_first_of("\r\n") != std::string::npos) return Invalid("must be one line");
  return core::Status::Ok();
}

void AppendOtp(std::vector<Option>& out) {
  out.push_back(DurationOption(
      "otp.code_expires_in", [](auto& c) -> auto& { return c.otp.code_ttl_ms; }, 1, 1000,
      "Lifetime of one-time codes sent by e-mail or SMS (password reset, "
      "verification); at least 1s."));
  out.push_back(IntOption(
      "otp.max_attempts", [](auto& c) -> auto& { return c.otp.max_attempts; }, 1, 100,
      "Wrong codes a live code survives; then it is deleted and a new one "
      "must be requested."));
  out.push_back(IntOption(
      "otp.length", [](auto& c) -> auto& { return c.otp.reset_length; }, 4, 32,
      "Length of password-reset codes (other codes always have 6 digits, as "
      "in the reference)."));
  out.push_back(EnumOption(
      "otp.format", [](auto& c) -> auto& { return c.otp.reset_format; },
      std::vector<std::pair<std::string, otp::CodeFormat>>{
          {"numeric", otp::CodeFormat::kNumeric}, {"alphanumeric", otp::CodeFormat::kAlphanumeric}},
      "Alphabet of password-reset codes: numeric = 0-9; alphanumeric = "
      "A-Z and 2-9 without look-alikes (no 0/O, 1/I/L)."));
  out.push_back(DurationOption(
      "password.reset_token_expires_in", [](auto& c) -> auto& { return c.reset_token_ttl_seconds; },
      1000, 1000,
      "Lifetime of the reset token that POST /auth/verify-forgot-password-otp "
      "returns. It also dies when the password changes."));
}

void AppendCourier(std::vector<Option>& out) {
  out.push_back(EnumOption(
      "courier.email_transport", [](auto& c) -> auto& { return c.courier.email_transport; },
      std::vector<std::pair<std::string, std::string>>{
          {"log", "log"}, {"smtp", "smtp"}, {"webhook", "webhook"}},
      "How e-mails are delivered: smtp (see smtp.*), webhook (a signed JSON "
      "POST to webhook.url) or log (written to the log with a warning, NOT "
      "delivered: for trying authd out)."));
  out.push_back(EnumOption(
      "courier.sms_transport", [](auto& c) -> auto& { return c.courier.sms_transport; },
      std::vector<std::pair<std::string, std::string>>{{"log", "log"}, {"webhook", "webhook"}},
      "How SMS are delivered: webhook (a signed JSON POST to webhook.url, "
      "for your SMS provider's bridge) or log (not delivered)."));
  out.push_back(StringOption(
      "courier.templates_dir", [](auto& c) -> auto& { return c.courier.templates_dir; },
      "Directory of message template overrides: <name>.email.subject, "
      "<name>.email.txt, <name>.sms.txt for name in password_reset, "
      "email_verification, phone_verification. Variables: {{app_name}}, "
      "{{code}}, {{expires_in_minutes}}, {{link}}, {{email}}, {{phone}}. "
      "Empty = built-in texts."));
  out.push_back(StringOption(
      "courier.reset_url", [](auto& c) -> auto& { return c.courier.reset_url; },
      "Page of your app where users enter their reset code. When set, reset "
      "e-mails link to <reset_url>?code=<code>&email=<address>.",
      HttpUrl));
  out.push_back(IntOption(
      "courier.max_attempts", [](auto& c) -> auto& { return c.courier.max_attempts; }, 1, 1000,
      "Delivery attempts per message before it is given up (logged as an "
      "error and kept as dead)."));
  out.push_back(DurationOption(
      "courier.retry_initial", [](auto& c) -> auto& { return c.courier.retry_initial_ms; }, 1, 10,
      "Delay before the first retry of a failed delivery; doubles with each "
      "attempt (with jitter) up to courier.retry_max."));
  out.push_back(DurationOption(
      "courier.retry_max", [](auto& c) -> auto& { return c.courier.retry_max_ms; }, 1, 10,
      "Longest delay between two delivery attempts."));
  out.push_back(DurationOption(
      "courier.lease", [](auto& c) -> auto& { return c.courier.lease_ms; }, 1, 1000,
      "How long a message being sent is reserved for one sender; after a "
      "crash it is sent again once this passes. Keep it above the transport "
      "timeouts."));
}

void AppendSmtpAndWebhook(std::vector<Option>& out) {
  out.push_back(StringOption(
      "smtp.url", [](auto& c) -> auto& { return c.courier.smtp.url; },
      "SMTP server: smtp://host:587 (STARTTLS, see smtp.starttls) or "
      "smtps://host:465 (TLS from the first byte).",
      SmtpUrl));
  out.push_back(StringOption(
      "smtp.username", [](auto& c) -> auto& { return c.courier.smtp.username; },
      "SMTP AUTH user name; empty = no authentication."));
  out.push_back(Secret(StringOption(
      "smtp.password", [](auto& c) -> auto& { return c.courier.smtp.password; },
      "SMTP AUTH password.")));
  out.push_back(StringOption(
      "smtp.from", [](auto& c) -> auto& { return c.courier.smtp.from; },
      "From header and envelope sender, \"Name <address>\" or an address.", OneLine));
  out.push_back(EnumOption(
      "smtp.starttls", [](auto& c) -> auto& { return c.courier.smtp.starttls; },
      std::vector<std::pair<std::string, std::string>>{
          {"required", "required"}, {"opportunistic", "opportunistic"}, {"off", "off"}},
      "For smtp:// URLs: required = refuse to send without STARTTLS; "
      "opportunistic = use it when offered; off = plain text (a relay on "
      "localhost only)."));
  out.push_back(BoolOption(
      "smtp.tls_verify", [](auto& c) -> auto& { return c.courier.smtp.tls_verify; },
      "Verify the SMTP server's certificate and host name."));
  out.push_back(DurationOption(
      "smtp.timeout", [](auto& c) -> auto& { return c.courier.smtp.timeout_ms; }, 1, 100,
      "Time limit of one SMTP delivery (connect to end of DATA)."));
  out.push_back(StringOption(
      "webhook.url", [](auto& c) -> auto& { return c.courier.webhook.url; },
      "Endpoint that receives e-mails/SMS as signed JSON POSTs when a "
      "courier transport is webhook.",
      HttpUrl));
  out.push_back(Secret(StringOption(
      "webhook.secret", [](auto& c) -> auto& { return c.courier.webhook.secret; },
      "HMAC-SHA256 key of the X-Authd-Signature header (t=<unix>,v1=<hex of "
      "HMAC(secret, \"<t>.<body>\")>); empty = unsigned.")));
  out.push_back(DurationOption(
      "webhook.timeout", [](auto& c) -> auto& { return c.courier.webhook.timeout_ms; }, 1, 100,
      "Time limit of one webhook POST."));
}

void AppendEvents(std::vector<Option>& out) {
  out.push_back(ListOption(
      "events.webhook_urls", [](auto& c) -> auto& { return c.events.webhook_urls; },
      "URLs that receive lifecycle events (nest_auth.registered, "
      "nest_auth.logged_in, nest_auth.password_reset_requested, ...) as "
      "signed JSON POSTs through the outbox. Empty = events off.",
      HttpUrlItem));
  out.push_back(Secret(StringOption(
      "events.webhook_secret", [](auto& c) -> auto& { return c.events.webhook_secret; },
      "HMAC-SHA256 key of the X-Authd-Signature header of event webhooks.")));
  out.push_back(ListOption(
      "events.names", [](auto& c) -> auto& { return c.events.names; },
      "Events to send; empty = all.", NonEmptyItem));
  out.push_back(ListOption(
      "events.include_codes", [](auto& c) -> auto& { return c.events.include_codes; },
      "Events whose payload may carry the plain one-time code (e.g. "
      "nest_auth.password_reset_requested, to deliver it yourself). By "
      "default no event carries a code; none ever carries a password.",
      NonEmptyItem));
}

}  // namespace

void AppendCourierOptions(std::vector<Option>& out) {
  AppendOtp(out);
  AppendCourier(out);
  AppendSmtpAndWebhook(out);
  AppendEvents(out);
}

}  // namespace authd::config::internal
