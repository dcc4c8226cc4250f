#include "http/handler_util.h"

#include <boost/json.hpp>

#include "http/request_body.h"
#include "identity/phone.h"
#include "throttle/throttle.h"

namespace authd::http {
namespace json = boost::json;

flows::ClientInfo ClientOf(const Request& req) {
  flows::ClientInfo c;
  c.ip = req.remote_ip;
  if (auto ua = req.Header("user-agent")) c.user_agent = std::string(*ua);
  return c;
}

core::Error Validation(std::string message) {
  return core::Plain(core::ErrorCategory::kInvalidArgument, std::move(message));
}

std::optional<bool> RememberMe(const json::object& body) {
  auto it = body.find("rememberMe");
  if (it == body.end() || !it->value().is_bool()) return std::nullopt;
  return it->value().get_bool();
}

std::string ThrottleIdentifier(const json::object& body, bool phone_first) {
  auto str = [](const json::object& o, std::string_view k) -> const json::string* {
    auto it = o.find(k);
    return it != o.end() && it->value().is_string() ? &it->value().get_string() : nullptr;
  };
  // Each identifier normalised as its account lookup normalises it.
  auto key = [](std::string_view k, std::string_view v) {
    return k == "phone" ? identity::NormalizePhone(v) : throttle::NormalizeIdentifier(v);
  };
  if (auto it = body.find("credentials"); it != body.end() && it->value().is_object()) {
    const json::object& c = it->value().get_object();
    // A login counts against the credential its provider looks up.
    const json::string* provider = str(body, "providerName");
    for (const char* k : {"email", "phone"}) {
      if (provider && *provider == k) {
        const json::string* v = str(c, k);
        return v ? key(k, *v) : "";
      }
    }
    for (const char* k : {"email", "phone"}) {
      if (auto* v = str(c, k)) return key(k, *v);
    }
  }
  if (phone_first) {
    if (auto* v = str(body, "phone"); v && !v->empty()) return key("phone", *v);
  }
  for (const char* k : {"email", "phone", "identifier"}) {
    if (auto* v = str(body, k)) return key(k, *v);
  }
  return "";
}

std::string IdentifierQueueKey(const Request& req) {
  if (req.body.empty()) return "";
  auto parsed = ParseJsonBody(req);
  const auto* body = std::get_if<json::object>(&parsed);
  if (body == nullptr) return "";
  std::string id = ThrottleIdentifier(*body);
  return id.empty() ? "" : "id:" + id;
}

Response Json(json::object o) {
  Response r;
  r.body = json::serialize(o);
  return r;
}

Response RenderAuthResult(const Request& req, const TokenTransport& transport,
                          const flows::AuthResult& r, const char* message,
                          std::optional<bool> remember_me, std::int64_t trust_ttl_seconds) {
  json::object body;
  body["isRequiresMfa"] = r.is_requires_mfa;
  if (r.must_change_password) body["mustChangePassword"] = true;
  if (r.is_requires_mfa) {
    json::array methods;
    for (const std::string& m : r.mfa_methods) methods.emplace_back(m);
    body["mfaMethods"] = std::move(methods);
    if (r.default_mfa_method) body["defaultMfaMethod"] = *r.default_mfa_method;
  }
  const bool cookies = transport.CookieMode(req);
  if (r.trust_token && !cookies) body["trustToken"] = *r.trust_token;
  body["message"] = message;
  if (r.trust_token && cookies) {
    const TokenTransport::TrustCookie trust{*r.trust_token, trust_ttl_seconds};
    return transport.TokenResponse(req, r.tokens, std::move(body), remember_me, &trust);
  }
  return transport.TokenResponse(req, r.tokens, std::move(body), remember_me);
}

}  // namespace authd::http
