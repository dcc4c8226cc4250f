#include "http/cors.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "http/token_transport.h"

namespace authd::http {
namespace {

// The `cors` package's default list: every method a route may use.
constexpr std::string_view kAllowMethods = "GET,HEAD,PUT,PATCH,POST,DELETE";

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

// What the official client sends (spec/client-sdk.md §2, §6), plus our
// request-id header and the app's own additions; case-insensitive names,
// each listed once.
std::string AllowHeaders(std::string_view csrf_header, const std::vector<std::string>& extra) {
  std::vector<std::string> names = {"Content-Type",
                                    "Authorization",
                                    "x-access-token-type",
                                    std::string(csrf_header),
                                    std::string(kTrustDeviceName),
                                    "X-Request-Id"};
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
      return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    });
    return s;
  };
  for (const std::string& h : extra) {
    const bool known = std::any_of(names.begin(), names.end(),
                                   [&](const std::string& n) { return lower(n) == lower(h); });
    if (!known) names.push_back(h);
  }
  return Join(names);
}

}  // namespace

Cors::Cors(const CorsOptions& options, std::string_view csrf_header)
    : origins_(options.allowed_origins),
      any_origin_(std::find(origins_.begin(), origins_.end(), "*") != origins_.end()),
      credentials_(options.allow_credentials && !any_origin_),
      max_age_(options.max_age_seconds > 0 ? std::to_string(options.max_age_seconds)
                                           : std::string()),
      allow_methods_(kAllowMethods),
      allow_headers_(AllowHeaders(csrf_header, options.allowed_headers)),
      expose_headers_(Join(options.exposed_headers)) {}

std::string_view Cors::AllowedOrigin(const Request& req) const {
  const std::optional<std::string_view> origin = req.Header("origin");
  if (!origin || origin->empty()) return {};
  if (any_origin_) return "*";
  for (const std::string& allowed : origins_) {
    if (*origin == allowed) return *origin;
  }
  return {};
}

std::optional<Response> Cors::Preflight(const Request& req) const {
  if (!enabled() || req.method != "OPTIONS") return std::nullopt;
  const auto method = req.Header("access-control-request-method");
  if (!req.Header("origin") || !method) return std::nullopt;
  Response r;
  r.status = 204;
  const std::string_view origin = AllowedOrigin(req);
  if (!any_origin_) r.AddHeader("Vary", "Origin");
  if (origin.empty()) return r;  // the browser refuses the actual request
  r.AddHeader("Access-Control-Allow-Origin", std::string(origin));
  if (credentials_) r.AddHeader("Access-Control-Allow-Credentials", "true");
  r.AddHeader("Access-Control-Allow-Methods", allow_methods_);
  r.AddHeader("Access-Control-Allow-Headers", allow_headers_);
  if (!max_age_.empty()) r.AddHeader("Access-Control-Max-Age", max_age_);
  return r;
}

void Cors::Decorate(const Request& req, Response& r) const {
  if (!enabled()) return;
  const std::string_view origin = AllowedOrigin(req);
  if (!any_origin_) r.AddHeader("Vary", "Origin");
  if (origin.empty()) return;
  r.AddHeader("Access-Control-Allow-Origin", std::string(origin));
  if (credentials_) r.AddHeader("Access-Control-Allow-Credentials", "true");
  if (!expose_headers_.empty()) {
    r.AddHeader("Access-Control-Expose-Headers", expose_headers_);
  }
}

}  // namespace authd::http
