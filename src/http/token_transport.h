// TokenTransport: how tokens travel between authd and the client.
//
// Header mode: tokens in JSON bodies and `Authorization: Bearer`. Cookie
// mode: HttpOnly `accessToken`/`refreshToken` cookies, the
// `nest_auth_remember` cookie, and the double-submit CSRF cookie. Auto mode
// picks cookie mode per request when `x-access-token-type: cookie` is sent.
// Cookie strings follow the reference (spec/tokens-and-sessions.md §5).
// Thread-safety: immutable; safe for concurrent use.
#ifndef AUTHD_HTTP_TOKEN_TRANSPORT_H_
#define AUTHD_HTTP_TOKEN_TRANSPORT_H_

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/random.h"
#include "http/cookies.h"
#include "http/http_options.h"
#include "http/message.h"
#include "session/token_service.h"

namespace authd::http {

// Name of the trusted-device cookie, and of the request header clients in
// header mode send the trust token in (reference mfa.trustDeviceStorageName).
inline constexpr std::string_view kTrustDeviceName = "nest_auth_device_trust";

struct ExtractedToken {
  std::string token;
  bool from_cookie = false;
  bool api_key = false;  // `Authorization: ApiKey <public>.<private>`
};

class TokenTransport {
 public:
  TokenTransport(const HttpOptions& options, std::int64_t access_ttl_seconds,
                 std::int64_t refresh_ttl_seconds, const core::Clock& clock,
                 crypto::SecureRandom& random);

  bool CookieMode(const Request& req) const;

  // The access token of `req` per the mode, if any.
  std::optional<ExtractedToken> AccessToken(const Request& req) const;
  // The refresh token: body field first, then (cookie mode) the cookie.
  std::string RefreshToken(const Request& req, const std::optional<std::string>& body_token) const;

  // CSRF double-submit check for cookie-authenticated unsafe requests.
  core::Status CheckCsrf(const Request& req) const;

  // Finishes a token response: header mode puts `tokens` into `body`
  // (accessToken, refreshToken first); cookie mode sets the cookies, the
  // CSRF cookie and the remember cookie. `body` holds the other keys in
  // order; `remember_me` is the body's boolean, if any.
  // `trust`: a trusted-device token to set as its cookie (cookie mode),
  // right after the token cookies as the reference orders them.
  struct TrustCookie {
    std::string token;
    std::int64_t ttl_seconds = 0;
  };
  Response TokenResponse(const Request& req, const std::optional<session::TokenPair>& tokens,
                         boost::json::object body, std::optional<bool> remember_me,
                         const TrustCookie* trust = nullptr) const;

  // The trusted-device token a client presents: the cookie, else the
  // request header of the same name (as the reference reads it).
  std::optional<std::string> TrustToken(const Request& req) const;
  // The two cookie deletions logout sends (in every mode), with the Domain,
  // Secure and SameSite the cookies were set with.
  void AddClearCookies(Response& r) const;

  // GET /auth/csrf.
  Response CsrfEndpoint() const;

  const HttpOptions& options() const { return options_; }

 private:
  std::string SameSiteText() const;
  // An expired, empty cookie `name` that replaces the one we set.
  SetCookie Clearing(std::string_view name) const;
  void AddTokenCookies(Response& r, const session::TokenPair& t, bool persistent) const;
  void AddCsrfCookie(Response& r, bool persistent) const;
  void AddTrustCookie(Response& r, const TrustCookie& trust) const;
  void AddRememberCookie(Response& r, bool persistent) const;

  const HttpOptions options_;
  const std::int64_t access_ttl_s_;
  const std::int64_t refresh_ttl_s_;
  const core::Clock& clock_;
  crypto::SecureRandom& random_;
};

}  // namespace authd::http

#endif  // AUTHD_HTTP_TOKEN_TRANSPORT_H_
