#include "http/claims_json.h"

#include <boost/json.hpp>

namespace authd::http {
namespace json = boost::json;

json::value IsoOrNull(const std::optional<core::UnixMillis>& t) {
  if (!t) return nullptr;
  return json::string(core::FormatIso8601(*t));
}

json::value MetadataValue(const std::string& metadata_json) {
  boost::system::error_code ec;
  json::value v = json::parse(metadata_json, ec);
  if (ec || !v.is_object()) return json::object();
  return v;
}

namespace {

json::value OptString(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return json::string(*s);
}

json::value TenantValue(const core::TenantId& t) {
  if (!t) return nullptr;
  return json::string(t->str());
}

std::optional<std::string> GetString(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

// Dates in claims are ISO strings; keep their instant.
std::optional<core::UnixMillis> GetIsoMillis(const json::object& o, std::string_view k) {
  auto s = GetString(o, k);
  if (!s || s->size() < 24) return std::nullopt;
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(s->c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<core::UnixMillis>(timegm(&tm)) * 1000 + ms;
}

class JsonClaimsCodec final : public session::ClaimsCodec {
 public:
  std::string Encode(const session::TokenClaims& c) const override {
    json::object o;
    o.reserve(16);
    o["id"] = c.user_id;
    o["sub"] = c.user_id;
    o["sessionId"] = c.session_id;
    o["email"] = OptString(c.email);
    o["phone"] = OptString(c.phone);
    o["emailVerifiedAt"] = IsoOrNull(c.email_verified_at);
    o["phoneVerifiedAt"] = IsoOrNull(c.phone_verified_at);
    json::array roles;
    for (const auto& r : c.roles) {
      roles.push_back(json::object{{"id", r.id},
                                   {"name", r.name},
                                   {"guard", r.guard},
                                   {"tenantId", TenantValue(r.tenant_id)},
                                   {"isSystem", r.is_system},
                                   {"isActive", r.is_active}});
    }
    o["roles"] = std::move(roles);
    o["tenantId"] = TenantValue(c.tenant_id);
    o["isMfaEnabled"] = c.is_mfa_enabled;
    o["isMfaVerified"] = c.is_mfa_verified;
    o["type"] = c.type;
    if (!c.jti.empty()) o["jti"] = c.jti;
    o["iat"] = c.iat;
    o["exp"] = c.exp;
    return json::serialize(o);
  }

  std::optional<session::TokenClaims> Decode(std::string_view text) const override {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const json::object& o = v.get_object();
    session::TokenClaims c;
    if (auto s = GetString(o, "sub"))
      c.user_id = *s;
    else if (auto id = GetString(o, "id"))
      c.user_id = *id;
    if (auto s = GetString(o, "sessionId")) c.session_id = *s;
    c.email = GetString(o, "email");
    c.phone = GetString(o, "phone");
    c.email_verified_at = GetIsoMillis(o, "emailVerifiedAt");
    c.phone_verified_at = GetIsoMillis(o, "phoneVerifiedAt");
    if (auto t = GetString(o, "tenantId")) c.tenant_id = core::TenantIdValue(*t);
    if (auto it = o.find("isMfaEnabled"); it != o.end() && it->value().is_bool()) {
      c.is_mfa_enabled = it->value().get_bool();
    }
    if (auto it = o.find("isMfaVerified"); it != o.end() && it->value().is_bool()) {
      c.is_mfa_verified = it->value().get_bool();
    }
    if (auto s = GetString(o, "type")) c.type = *s;
    if (auto s = GetString(o, "jti")) c.jti = *s;
    if (auto it = o.find("iat"); it != o.end() && it->value().is_int64()) {
      c.iat = it->value().get_int64();
    }
    if (auto it = o.find("exp"); it != o.end() && it->value().is_int64()) {
      c.exp = it->value().get_int64();
    }
    return c;
  }
};

}  // namespace

std::unique_ptr<session::ClaimsCodec> NewJsonClaimsCodec() {
  return std::make_unique<JsonClaimsCodec>();
}

}  // namespace authd::http
