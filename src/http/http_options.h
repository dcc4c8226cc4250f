// HttpOptions: listener, limits, routing, the token transport
// (header / cookie mode, cookie attributes, CSRF) and CORS.
#ifndef AUTHD_HTTP_HTTP_OPTIONS_H_
#define AUTHD_HTTP_HTTP_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/ip_address.h"

namespace authd::http {

// How token responses travel (reference `session.accessTokenType`).
enum class TokenMode {
  kHeader,  // tokens in JSON bodies, Authorization: Bearer
  kCookie,  // HttpOnly cookies (+ CSRF when enabled)
  kAuto,    // per request: cookie iff `x-access-token-type: cookie`
};

enum class SameSite { kLax, kStrict, kNone };

struct CookieOptions {
  bool secure = false;  // reference default; set true behind HTTPS
  SameSite same_site = SameSite::kLax;
  std::string domain;  // empty = no Domain attribute
};

struct CsrfOptions {
  bool enabled = false;
  std::string cookie_name = "nest_auth_csrf";
  std::string header_name = "x-csrf-token";  // lower-case
  std::vector<std::string> allowed_origins;  // empty = no origin check
};

// CORS for browser apps served from other origins (http/cors.h). Off while
// allowed_origins is empty.
struct CorsOptions {
  // Exact origins, scheme://host[:port], lower-case, default ports dropped;
  // or the single item "*" (any origin; only with allow_credentials off).
  std::vector<std::string> allowed_origins;
  bool allow_credentials = true;             // cookie mode needs it
  std::int64_t max_age_seconds = 600;        // preflight cache; 0 = no header
  std::vector<std::string> allowed_headers;  // beyond the built-in ones
  std::vector<std::string> exposed_headers;  // Access-Control-Expose-Headers
};

struct HttpOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;
  int io_threads = 0;        // 0 = one per core
  int blocking_workers = 0;  // database work; 0 = 64 (mostly waiting)
  // Open connections; past it new ones are answered 503 and closed.
  // 0 = what the open-file limit allows (fd_limit.h).
  int max_connections = 0;
  int hash_queue_max = 0;                    // waiting hashes; 0 = 16 per thread, >= 32
  int hash_per_key_max = 2;                  // hashes per account/identifier; 0 = no limit
  int hash_nice = 0;                         // of the hashing threads, 0..19
  std::size_t max_header_bytes = 16 * 1024;  // 431 beyond
  std::size_t max_body_bytes = 100 * 1024;   // 413 beyond (Express: 100kb)
  std::int64_t read_timeout_ms = 30000;      // a request must arrive within
  std::int64_t idle_timeout_ms = 5000;       // keep-alive idle (Keep-Alive: timeout=5)
  std::int64_t shutdown_grace_ms = 10000;    // in-flight requests finish within
  // Which X-Forwarded-For hop is the client (http/forwarded.h):
  // trusted_proxies if any, else trust_proxy_hops proxies if trust_proxy.
  bool trust_proxy = false;
  int trust_proxy_hops = 1;
  std::vector<core::IpNetwork> trusted_proxies;

  std::string global_prefix;  // e.g. "api" -> /api/auth/...
  std::string route_prefix = "auth";

  TokenMode token_mode = TokenMode::kAuto;  // reference default: null
  CookieOptions cookies;
  CsrfOptions csrf;
  CorsOptions cors;
};

}  // namespace authd::http

#endif  // AUTHD_HTTP_HTTP_OPTIONS_H_
