#include "flows/reset_token.h"

#include "core/json_text.h"
#include "crypto/hmac.h"
#include "crypto/json_scan.h"
#include "crypto/jwt.h"

namespace authd::flows {

std::string PasswordSignature(std::string_view secret,
                              const std::optional<std::string>& password_hash) {
  if (!password_hash || password_hash->empty()) return "";
  return crypto::HmacSha256Hex(secret, *password_hash);
}

std::string SignResetToken(const ResetClaims& claims, std::string_view secret,
                           std::int64_t now_seconds, std::int64_t ttl_seconds) {
  core::JsonWriter w;
  w.BeginObject()
      .Key("userId")
      .String(claims.user_id)
      .Key("passwordHashPrefix")
      .String(claims.password_signature)
      .Key("tenantId");
  if (claims.tenant_id)
    w.String(claims.tenant_id->str());
  else
    w.Null();
  w.Key("type")
      .String(kResetTokenType)
      .Key("exp")
      .Int(now_seconds + ttl_seconds)
      .Key("iat")
      .Int(now_seconds)
      .EndObject();
  return crypto::JwtSignHs256(w.str(), secret);
}

ResetTokenCheck VerifyResetToken(std::string_view token, std::string_view secret,
                                 std::int64_t now_seconds) {
  ResetTokenCheck out;
  crypto::JwtVerifyResult v = crypto::JwtVerifyHs256(token, secret, now_seconds);
  if (!v.jwt) return out;
  auto members = crypto::internal::ScanJsonObject(v.jwt->payload_json);
  if (!members) return out;
  ResetClaims c;
  bool has_user = false;
  for (const auto& m : *members) {
    using crypto::internal::JsonKind;
    if (m.key == "userId" && m.kind == JsonKind::kString) {
      c.user_id = m.value;
      has_user = !m.value.empty();
    } else if (m.key == "passwordHashPrefix" && m.kind == JsonKind::kString) {
      c.password_signature = m.value;
    } else if (m.key == "tenantId" && m.kind == JsonKind::kString) {
      c.tenant_id = core::TenantIdValue(m.value);
    } else if (m.key == "type" && m.kind == JsonKind::kString) {
      c.type = m.value;
    }
  }
  if (c.type != kResetTokenType) {
    out.error = ResetTokenError::kWrongType;
    return out;
  }
  if (!has_user) return out;
  out.claims = std::move(c);
  return out;
}

}  // namespace authd::flows
