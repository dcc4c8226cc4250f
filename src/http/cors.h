// Cors: Cross-Origin Resource Sharing for browser apps on other origins.
//
// The reference leaves CORS to its host app (Nest's enableCors, i.e. the
// Express `cors` package); authd answers it itself, the way that package
// does with a list of origins: a preflight is answered 204 before routing,
// an actual request from an allowed origin gets Access-Control-Allow-Origin
// (its own origin, never "*" with credentials) and the credentials flag,
// and every answer that depends on the Origin says `Vary: Origin`. Unlike
// that package, a disallowed origin gets no Access-Control-* header at
// all, so the browser refuses it; and allowed request headers are a fixed
// list (what the official client sends), not an echo of the request's.
// Off (no header, every request routed as usual) while
// CorsOptions::allowed_origins is empty.
// Thread-safety: immutable after construction; safe for concurrent use.
#ifndef AUTHD_HTTP_CORS_H_
#define AUTHD_HTTP_CORS_H_

#include <optional>
#include <string>
#include <vector>

#include "http/http_options.h"
#include "http/message.h"

namespace authd::http {

class Cors final {
 public:
  // `csrf_header` is the CSRF request header (lower-case), allowed in
  // preflights with the client's other headers. REQUIRES: `options` is
  // valid (config refuses "*" with credentials).
  Cors(const CorsOptions& options, std::string_view csrf_header);

  bool enabled() const { return !origins_.empty(); }

  // A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method)
  // is answered here, before routing: 204, with the Access-Control-Allow-*
  // headers when the origin is allowed, with only Vary otherwise. nullopt
  // for every other request, and always while disabled.
  std::optional<Response> Preflight(const Request& req) const;

  // Adds the headers of an actual (non-preflight) response: Vary: Origin,
  // and for an allowed Origin Access-Control-Allow-Origin, -Credentials
  // and -Expose-Headers. No-op while disabled.
  void Decorate(const Request& req, Response& r) const;

 private:
  // The Access-Control-Allow-Origin value for `req`, or "" if none.
  std::string_view AllowedOrigin(const Request& req) const;

  std::vector<std::string> origins_;
  bool any_origin_ = false;  // "*": credentials are off
  bool credentials_ = false;
  std::string max_age_;  // "" = no header
  std::string allow_methods_;
  std::string allow_headers_;
  std::string expose_headers_;  // "" = no header
};

}  // namespace authd::http

#endif  // AUTHD_HTTP_CORS_H_
