#include "store/common/session_data_json.h"

#include <chrono>
#include <exception>
#include <utility>

#include <boost/json.hpp>

namespace authd::store {
namespace {

namespace json = boost::json;

json::value DateValue(const std::optional<core::UnixMillis>& t) {
  if (!t) return nullptr;
  return json::value(core::FormatIso8601(*t));
}

json::value OptStringValue(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return json::value(*s);
}

json::value TenantValue(const core::TenantId& t) {
  if (!t) return nullptr;
  return json::value(t->str());
}

// Thrown (and caught in DecodeSessionData) when a field has the wrong type
// or form; Boost.JSON's own accessors throw std::exception subclasses too.
struct BadField : std::exception {
  explicit BadField(std::string f) : field(std::move(f)) {}
  const char* what() const noexcept override { return field.c_str(); }
  std::string field;
};

const json::value* Find(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}

bool GetBool(const json::object& o, std::string_view key, bool fallback) {
  const json::value* v = Find(o, key);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_bool()) throw BadField(std::string(key));
  return v->get_bool();
}

std::string GetString(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) throw BadField(std::string(key));
  return std::string(v->get_string());
}

std::optional<std::string> GetOptString(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) throw BadField(std::string(key));
  return std::string(v->get_string());
}

core::TenantId GetTenant(const json::object& o, std::string_view key) {
  std::optional<std::string> t = GetOptString(o, key);
  if (!t) return std::nullopt;
  return core::TenantIdValue(std::move(*t));
}

std::optional<core::UnixMillis> GetDate(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_string()) {
    std::optional<core::UnixMillis> t = ParseIso8601(v->get_string());
    if (!t) throw BadField(std::string(key));
    return t;
  }
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<core::UnixMillis>(v->get_uint64());
  throw BadField(std::string(key));
}

json::object EncodeUser(const identity::User& u, json::value metadata) {
  json::object o;
  o["id"] = u.id.str();
  o["email"] = OptStringValue(u.email);
  o["emailVerifiedAt"] = DateValue(u.email_verified_at);
  o["phone"] = OptStringValue(u.phone);
  o["phoneVerifiedAt"] = DateValue(u.phone_verified_at);
  o["isActive"] = u.is_active;
  o["mustChangePassword"] = u.must_change_password;
  o["metadata"] = std::move(metadata);
  o["isMfaEnabled"] = u.is_mfa_enabled;
  o["mfaRecoveryCode"] = OptStringValue(u.mfa_recovery_code);
  o["createdAt"] = DateValue(u.created_at);
  o["updatedAt"] = DateValue(u.updated_at);
  return o;
}

identity::User DecodeUser(const json::object& o) {
  identity::User u;
  u.id = core::UserId(GetString(o, "id"));
  u.email = GetOptString(o, "email");
  u.email_verified_at = GetDate(o, "emailVerifiedAt");
  u.phone = GetOptString(o, "phone");
  u.phone_verified_at = GetDate(o, "phoneVerifiedAt");
  u.is_active = GetBool(o, "isActive", true);
  u.must_change_password = GetBool(o, "mustChangePassword", false);
  const json::value* meta = Find(o, "metadata");
  u.metadata_json = meta == nullptr || meta->is_null() ? "{}" : json::serialize(*meta);
  u.is_mfa_enabled = GetBool(o, "isMfaEnabled", false);
  u.mfa_recovery_code = GetOptString(o, "mfaRecoveryCode");
  u.created_at = GetDate(o, "createdAt").value_or(0);
  u.updated_at = GetDate(o, "updatedAt").value_or(0);
  return u;  // password_hash stays nullopt: it is never stored
}

json::object EncodeRole(const session::RoleSnapshot& r) {
  json::object o;
  o["id"] = r.id;
  o["name"] = r.name;
  o["guard"] = r.guard;
  o["tenantId"] = TenantValue(r.tenant_id);
  o["isSystem"] = r.is_system;
  o["isActive"] = r.is_active;
  return o;
}

session::RoleSnapshot DecodeRole(const json::object& o) {
  session::RoleSnapshot r;
  r.id = GetString(o, "id");
  r.name = GetString(o, "name");
  r.guard = GetString(o, "guard");
  r.tenant_id = GetTenant(o, "tenantId");
  r.is_system = GetBool(o, "isSystem", false);
  r.is_active = GetBool(o, "isActive", true);
  return r;
}

// Reads `n` decimal digits at text[pos], advancing pos; -1 on failure.
int Digits(std::string_view text, std::size_t& pos, int n) {
  if (pos + static_cast<std::size_t>(n) > text.size()) return -1;
  int value = 0;
  for (int i = 0; i < n; ++i) {
    const char c = text[pos++];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

bool Expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::optional<core::UnixMillis> ParseIso8601(std::string_view text) {
  std::size_t pos = 0;
  const int y = Digits(text, pos, 4);
  if (y < 0 || !Expect(text, pos, '-')) return std::nullopt;
  const int mo = Digits(text, pos, 2);
  if (mo < 0 || !Expect(text, pos, '-')) return std::nullopt;
  const int d = Digits(text, pos, 2);
  if (d < 0 || !Expect(text, pos, 'T')) return std::nullopt;
  const int h = Digits(text, pos, 2);
  if (h < 0 || h > 23 || !Expect(text, pos, ':')) return std::nullopt;
  const int mi = Digits(text, pos, 2);
  if (mi < 0 || mi > 59 || !Expect(text, pos, ':')) return std::nullopt;
  const int s = Digits(text, pos, 2);
  if (s < 0 || s > 59) return std::nullopt;
  int ms = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    ms = Digits(text, pos, 3);
    if (ms < 0) return std::nullopt;
  }
  if (!Expect(text, pos, 'Z') || pos != text.size()) return std::nullopt;

  using namespace std::chrono;
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)),
                           day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  const sys_days days(ymd);
  const milliseconds t = duration_cast<milliseconds>(days.time_since_epoch()) + hours(h) +
                         minutes(mi) + seconds(s) + milliseconds(ms);
  return t.count();
}

core::Result<std::string> EncodeSessionData(const session::SessionData& data) {
  json::error_code ec;
  json::value metadata = json::parse(data.user.metadata_json, ec);
  if (ec) {
    return core::Internal("session data: user metadata is not JSON: " + ec.message());
  }
  json::object root;
  root["user"] = EncodeUser(data.user, std::move(metadata));
  root["isMfaVerified"] = data.is_mfa_verified;
  if (data.is_mfa_enabled) root["isMfaEnabled"] = *data.is_mfa_enabled;
  json::array roles;
  roles.reserve(data.roles.size());
  for (const session::RoleSnapshot& r : data.roles) roles.push_back(EncodeRole(r));
  root["roles"] = std::move(roles);
  json::array permissions;
  permissions.reserve(data.permissions.size());
  for (const std::string& p : data.permissions) permissions.push_back(json::value(p));
  root["permissions"] = std::move(permissions);
  root["tenantId"] = TenantValue(data.tenant_id);
  root["isPlatformAccess"] = data.is_platform_access;
  return json::serialize(root);
}

core::Result<session::SessionData> DecodeSessionData(std::string_view text) {
  json::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) return core::Internal("session data: not JSON: " + ec.message());
  try {
    const json::object& root = doc.as_object();
    session::SessionData data;
    data.user = DecodeUser(root.at("user").as_object());
    data.is_mfa_verified = GetBool(root, "isMfaVerified", false);
    if (const json::value* v = Find(root, "isMfaEnabled"); v && !v->is_null()) {
      data.is_mfa_enabled = GetBool(root, "isMfaEnabled", false);
    }
    if (const json::value* v = Find(root, "roles"); v && !v->is_null()) {
      for (const json::value& r : v->as_array()) {
        data.roles.push_back(DecodeRole(r.as_object()));
      }
    }
    if (const json::value* v = Find(root, "permissions"); v && !v->is_null()) {
      for (const json::value& p : v->as_array()) {
        data.permissions.emplace_back(p.as_string());
      }
    }
    data.tenant_id = GetTenant(root, "tenantId");
    data.is_platform_access = GetBool(root, "isPlatformAccess", false);
    return data;
  } catch (const std::exception& e) {
    return core::Internal(std::string("session data: bad document: ") + e.what());
  }
}

}  // namespace authd::store
