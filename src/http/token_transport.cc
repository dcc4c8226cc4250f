#include "http/token_transport.h"

#include <algorithm>

#include <boost/json.hpp>

#include "core/errors.h"
#include "crypto/hmac.h"
#include "http/cookies.h"

namespace authd::http {
namespace json = boost::json;

namespace {

constexpr const char* kAccessCookie = "accessToken";
constexpr const char* kRefreshCookie = "refreshToken";
constexpr const char* kRememberCookie = "nest_auth_remember";
constexpr core::UnixMillis kEpoch = 0;

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// "<scheme> <token>": the reference splits on single spaces and takes the
// second part; schemes other than bearer and apikey count as no token.
std::optional<ExtractedToken> HeaderToken(std::string_view header) {
  size_t sp = header.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  std::string_view scheme = header.substr(0, sp);
  const bool bearer = IEquals(scheme, "bearer");
  if (!bearer && !IEquals(scheme, "apikey")) return std::nullopt;
  std::string_view rest = header.substr(sp + 1);
  rest = rest.substr(0, rest.find(' '));
  if (rest.empty()) return std::nullopt;
  return ExtractedToken{std::string(rest), false, !bearer};
}

bool IsSafeMethod(std::string_view m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }

// scheme://host of a Referer URL.
std::string OriginOfUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "";
  size_t host_end = url.find('/', scheme_end + 3);
  return std::string(url.substr(0, host_end));
}

}  // namespace

TokenTransport::TokenTransport(const HttpOptions& options, std::int64_t access_ttl_seconds,
                               std::int64_t refresh_ttl_seconds, const core::Clock& clock,
                               crypto::SecureRandom& random)
    : options_(options),
      access_ttl_s_(access_ttl_seconds),
      refresh_ttl_s_(refresh_ttl_seconds),
      clock_(clock),
      random_(random) {}

bool TokenTransport::CookieMode(const Request& req) const {
  switch (options_.token_mode) {
    case TokenMode::kHeader:
      return false;
    case TokenMode::kCookie:
      return true;
    case TokenMode::kAuto: {
      auto h = req.Header("x-access-token-type");
      return h && *h == "cookie";
    }
  }
  return false;
}

std::optional<ExtractedToken> TokenTransport::AccessToken(const Request& req) const {
  const TokenMode mode = options_.token_mode;
  if (mode != TokenMode::kCookie) {
    if (auto h = req.Header("authorization")) {
      if (auto t = HeaderToken(*h)) return t;
    }
  }
  if (mode != TokenMode::kHeader) {
    if (auto c = FindCookie(req, kAccessCookie); c && !c->empty()) {
      return ExtractedToken{std::move(*c), true};
    }
  }
  return std::nullopt;
}

std::string TokenTransport::RefreshToken(const Request& req,
                                         const std::optional<std::string>& body_token) const {
  if (body_token && !body_token->empty()) return *body_token;
  if (CookieMode(req)) {
    if (auto c = FindCookie(req, kRefreshCookie)) return *c;
  }
  return "";
}

core::Status TokenTransport::CheckCsrf(const Request& req) const {
  const CsrfOptions& csrf = options_.csrf;
  if (!csrf.enabled || IsSafeMethod(req.method)) return core::Status::Ok();
  if (!csrf.allowed_origins.empty()) {
    std::string origin;
    if (auto o = req.Header("origin"))
      origin = std::string(*o);
    else if (auto r = req.Header("referer"))
      origin = OriginOfUrl(*r);
    if (!origin.empty() && std::find(csrf.allowed_origins.begin(), csrf.allowed_origins.end(),
                                     origin) == csrf.allowed_origins.end()) {
      return core::MakeError(core::Err::kCsrfOriginRejected);
    }
  }
  auto cookie = FindCookie(req, csrf.cookie_name);
  auto header = req.Header(csrf.header_name);
  if (!cookie || cookie->empty() || !header || header->empty() ||
      !crypto::ConstantTimeEquals(crypto::Sha256(*cookie), crypto::Sha256(*header))) {
    return core::MakeError(core::Err::kCsrfTokenInvalid);
  }
  return core::Status::Ok();
}

std::string TokenTransport::SameSiteText() const {
  switch (options_.cookies.same_site) {
    case SameSite::kStrict:
      return "Strict";
    case SameSite::kNone:
      return "None";
    case SameSite::kLax:
      break;
  }
  return "Lax";
}

void TokenTransport::AddTokenCookies(Response& r, const session::TokenPair& t,
                                     bool persistent) const {
  const core::UnixMillis now = clock_.NowMillis();
  auto add = [&](const char* name, const std::string& value, std::int64_t ttl) {
    SetCookie c;
    c.name = name;
    c.value = value;
    if (persistent) {
      c.max_age_seconds = ttl;
      c.expires_unix_millis = now + ttl * 1000;
    }
    c.domain = options_.cookies.domain;
    c.http_only = true;
    c.secure = options_.cookies.secure;
    c.same_site = SameSiteText();
    r.AddHeader("Set-Cookie", Serialize(c));
  };
  if (!t.access_token.empty()) add(kAccessCookie, t.access_token, access_ttl_s_);
  if (!t.refresh_token.empty()) add(kRefreshCookie, t.refresh_token, refresh_ttl_s_);
}

std::optional<std::string> TokenTransport::TrustToken(const Request& req) const {
  if (auto c = FindCookie(req, kTrustDeviceName); c && !c->empty()) return c;
  if (auto h = req.Header(kTrustDeviceName); h && !h->empty()) return std::string(*h);
  return std::nullopt;
}

void TokenTransport::AddTrustCookie(Response& r, const TrustCookie& trust) const {
  SetCookie c;
  c.name = kTrustDeviceName;
  c.value = trust.token;
  c.max_age_seconds = trust.ttl_seconds;
  c.expires_unix_millis = clock_.NowMillis() + trust.ttl_seconds * 1000;
  c.domain = options_.cookies.domain;
  c.http_only = true;
  c.secure = options_.cookies.secure;
  c.same_site = SameSiteText();
  r.AddHeader("Set-Cookie", Serialize(c));
}

void TokenTransport::AddCsrfCookie(Response& r, bool persistent) const {
  if (!options_.csrf.enabled) return;
  SetCookie c;
  c.name = options_.csrf.cookie_name;
  c.value = random_.TokenBase64Url(32);
  if (persistent) {
    c.max_age_seconds = refresh_ttl_s_;
    c.expires_unix_millis = clock_.NowMillis() + refresh_ttl_s_ * 1000;
  }
  c.domain = options_.cookies.domain;
  c.secure = options_.cookies.secure;
  c.same_site = SameSiteText();
  r.AddHeader("Set-Cookie", Serialize(c));
}

void TokenTransport::AddRememberCookie(Response& r, bool persistent) const {
  if (persistent) {
    r.AddHeader("Set-Cookie", Serialize(Clearing(kRememberCookie)));
    return;
  }
  SetCookie c;
  c.name = kRememberCookie;
  c.value.push_back('0');  // not = "0": GCC 12 -Wrestrict false positive
  c.domain = options_.cookies.domain;
  c.http_only = true;
  c.secure = options_.cookies.secure;
  c.same_site = SameSiteText();
  r.AddHeader("Set-Cookie", Serialize(c));
}

// A browser replaces a cookie only by one of the same name, Domain and
// Path, and takes a cookie from a cross-site response only if it says
// SameSite=None; Secure. So a clearing cookie repeats those attributes of
// the cookie it clears (the reference sends only Path, which leaves Domain
// cookies in place). SameSite=Lax, the browsers' default, is left out, so
// with the default attributes the string is the reference's.
SetCookie TokenTransport::Clearing(std::string_view name) const {
  SetCookie c;
  c.name = name;
  c.expires_unix_millis = kEpoch;
  c.domain = options_.cookies.domain;
  c.secure = options_.cookies.secure;
  if (options_.cookies.same_site != SameSite::kLax) c.same_site = SameSiteText();
  return c;
}

Response TokenTransport::TokenResponse(const Request& req,
                                       const std::optional<session::TokenPair>& tokens,
                                       json::object body, std::optional<bool> remember_me,
                                       const TrustCookie* trust) const {
  Response r;
  if (!CookieMode(req)) {
    if (tokens) {
      json::object out;
      out.reserve(body.size() + 2);
      out["accessToken"] = tokens->access_token;
      out["refreshToken"] = tokens->refresh_token;
      for (auto& kv : body) out[kv.key()] = std::move(kv.value());
      r.body = json::serialize(out);
    } else {
      r.body = json::serialize(body);
    }
    return r;
  }
  bool persistent = true;
  if (remember_me.has_value()) {
    persistent = *remember_me;
  } else if (auto c = FindCookie(req, kRememberCookie); c && *c == "0") {
    persistent = false;
  }
  if (tokens) AddTokenCookies(r, *tokens, persistent);
  if (trust) AddTrustCookie(r, *trust);
  AddCsrfCookie(r, persistent);
  AddRememberCookie(r, persistent);
  r.body = json::serialize(body);
  return r;
}

void TokenTransport::AddClearCookies(Response& r) const {
  for (const char* name : {kAccessCookie, kRefreshCookie}) {
    r.AddHeader("Set-Cookie", Serialize(Clearing(name)));
  }
}

Response TokenTransport::CsrfEndpoint() const {
  Response r;
  if (!options_.csrf.enabled) {
    r.body = R"({"enabled":false})";
    return r;
  }
  std::string token = random_.TokenBase64Url(32);
  SetCookie c;
  c.name = options_.csrf.cookie_name;
  c.value = token;
  c.domain = options_.cookies.domain;
  c.secure = options_.cookies.secure;
  c.same_site = SameSiteText();
  r.AddHeader("Set-Cookie", Serialize(c));
  json::object o;
  o["enabled"] = true;
  o["csrfToken"] = token;
  o["headerName"] = options_.csrf.header_name;
  o["cookieName"] = options_.csrf.cookie_name;
  r.body = json::serialize(o);
  return r;
}

}  // namespace authd::http
