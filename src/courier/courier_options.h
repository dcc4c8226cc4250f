// Options of the courier transports (delivery/): where e-mail goes over
// SMTP and where event/SMS webhooks are POSTed. Filled by config/, read by
// app/main when it picks the transports. Value types; std only.
#ifndef AUTHD_COURIER_COURIER_OPTIONS_H_
#define AUTHD_COURIER_COURIER_OPTIONS_H_

#include <cstdint>
#include <string>

namespace authd::courier {

struct SmtpOptions {
  // "smtp://host:port" (plain, upgraded per `starttls`) or
  // "smtps://host:port" (TLS from the first byte). Empty = no SMTP.
  std::string url;
  // SMTP AUTH credentials; both empty = no AUTH. Never logged.
  std::string username;
  std::string password;
  // The From header; its address part (inside <>, or the whole value) is
  // also the envelope sender (MAIL FROM).
  std::string from = "authd <no-reply@localhost>";
  // smtp:// only: "required" (fail unless STARTTLS succeeds),
  // "opportunistic" (use it when offered), "off" (never; test servers).
  std::string starttls = "required";
  // Verify the server certificate and host name. Off only for tests.
  bool tls_verify = true;
  // Bound on one whole delivery, connect included.
  std::int64_t timeout_ms = 10000;
};

struct WebhookOptions {
  // Where e-mail/SMS envelopes are POSTed (an SMS gateway adapter, ...).
  // Event webhooks carry their own URL in the message. Empty = none.
  std::string url;
  // HMAC-SHA256 key of the X-Authd-Signature header; empty = unsigned.
  std::string secret;
  // Bound on one whole request, connect included.
  std::int64_t timeout_ms = 10000;
};

}  // namespace authd::courier

#endif  // AUTHD_COURIER_COURIER_OPTIONS_H_
