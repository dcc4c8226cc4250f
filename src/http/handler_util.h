// Small pieces every controller of the auth API shares.
#ifndef AUTHD_HTTP_HANDLER_UTIL_H_
#define AUTHD_HTTP_HANDLER_UTIL_H_

#include <string>

#include <boost/json/object.hpp>

#include "core/status.h"
#include "flows/auth_result.h"
#include "http/message.h"
#include "http/token_transport.h"

namespace authd::http {

// Client IP (as resolved by the server) and User-Agent.
flows::ClientInfo ClientOf(const Request& req);

// A class-validator failure: 400 {"statusCode","error":"Bad Request","message"}.
core::Error Validation(std::string message);

// `rememberMe` as the reference's token interceptor reads it from the raw
// body: a JSON boolean counts, anything else is ignored (never an error).
std::optional<bool> RememberMe(const boost::json::object& body);

// The identifier a request's rate limits and lockout count against: the
// one its flow looks up, normalised as the lookup does (e-mails trimmed and
// lower-cased, phones by identity::NormalizePhone). A login: the
// credential of its providerName (a phone login never counts against a
// stray credentials.email); otherwise, as the reference, the first string
// among credentials.email, credentials.phone, email, phone, identifier,
// except that `phone_first` (forgot-password, whose flow looks up the
// phone when one is given) takes a non-empty phone before the e-mail.
std::string ThrottleIdentifier(const boost::json::object& body, bool phone_first = false);

// The hashing pool's per-key limit for routes that name an account in the
// body (login, signup): "id:<ThrottleIdentifier>", or "" for a body that
// does not parse or names none (router.h QueueKey).
std::string IdentifierQueueKey(const Request& req);

// 200 with `o` as the JSON body.
Response Json(boost::json::object o);

// The reference's AuthResponse: tokens (header mode) or cookies, then
// isRequiresMfa, mustChangePassword, mfaMethods, defaultMfaMethod,
// trustToken (header mode; the trusted-device cookie in cookie mode,
// lasting `trust_ttl_seconds`), message.
Response RenderAuthResult(const Request& req, const TokenTransport& transport,
                          const flows::AuthResult& r, const char* message,
                          std::optional<bool> remember_me, std::int64_t trust_ttl_seconds);

}  // namespace authd::http

#endif  // AUTHD_HTTP_HANDLER_UTIL_H_
