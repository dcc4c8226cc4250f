// Option table, part 5: cors.
#include <string>
#include <vector>

#include "config/option_builders.h"
#include "config/option_table.h"

namespace authd::config::internal {
namespace {

// "*" or an origin; a default port is dropped ("https://a.example:443" is
// "https://a.example"), since browsers send origins without one and the
// match is exact.
core::Status CorsOrigin(std::string& s) {
  if (s == "*") return core::Status::Ok();
  core::Status st = CheckOrigin(s);
  if (!st.ok()) return st;
  if (s.starts_with("http://") && s.ends_with(":80")) {
    s.resize(s.size() - 3);
  } else if (s.starts_with("https://") && s.ends_with(":443")) {
    s.resize(s.size() - 4);
  }
  return core::Status::Ok();
}

}  // namespace

void AppendCorsOptions(std::vector<Option>& out) {
  out.push_back(ListOption(
      "cors.allowed_origins", [](auto& c) -> auto& { return c.http.cors.allowed_origins; },
      "Origins of browser apps allowed to call authd from another origin "
      "(CORS), exact scheme://host[:port] items, e.g. "
      "https://app.example.com; or * for any origin, only with "
      "allow_credentials = false. Empty = CORS off: no CORS headers, "
      "preflights are not answered (fine for same-origin apps behind a "
      "reverse proxy). See docs/browser-apps.md.",
      CorsOrigin));
  out.push_back(BoolOption(
      "cors.allow_credentials", [](auto& c) -> auto& { return c.http.cors.allow_credentials; },
      "Send Access-Control-Allow-Credentials: true to allowed origins, so "
      "that their fetch(..., {credentials: 'include'}) may send and receive "
      "cookies: cookie mode needs it. Must be false with allowed_origins = "
      "*."));
  out.push_back(DurationOption(
      "cors.max_age", [](auto& c) -> auto& { return c.http.cors.max_age_seconds; }, 1000, 0,
      "How long browsers may cache a preflight's answer "
      "(Access-Control-Max-Age), whole seconds; browsers cap it (Chromium "
      "at 2h). 0 = no header (browsers then cache for 5s)."));
  out.push_back(ListOption(
      "cors.allowed_headers", [](auto& c) -> auto& { return c.http.cors.allowed_headers; },
      "Request headers allowed in addition to those the official client "
      "sends (Content-Type, Authorization, x-access-token-type, "
      "csrf.header_name, nest_auth_device_trust) and X-Request-Id, e.g. a "
      "header your app adds to its calls.",
      Token(false)));
  out.push_back(ListOption(
      "cors.exposed_headers", [](auto& c) -> auto& { return c.http.cors.exposed_headers; },
      "Response headers that scripts of allowed origins may read beyond the "
      "CORS-safelisted ones (Access-Control-Expose-Headers), e.g. "
      "Retry-After,X-Request-Id.",
      Token(false)));
}

}  // namespace authd::config::internal
