#include "session/token_service.h"

#include <utility>

#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "crypto/jwt.h"

namespace authd::session {
namespace {

// Formats 16 bytes as a UUID v4 string (version and variant bits forced),
// so a derived jti looks like every other jti on the wire.
std::string UuidFromBytes(std::string bytes) {
  bytes.resize(16);
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
  std::string hex = crypto::HexEncode(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace

TokenService::TokenService(const SessionOptions& options, const ClaimsCodec& codec,
                           crypto::SecureRandom& random)
    : options_(options), codec_(codec), random_(random) {}

TokenClaims TokenService::BaseClaims(const Session& s, std::int64_t now_seconds) const {
  const SessionData& d = s.data;
  TokenClaims c;
  c.user_id = s.user_id.str();
  c.session_id = s.id.str();
  c.email = d.user.email;
  c.phone = d.user.phone;
  c.email_verified_at = d.user.email_verified_at;
  c.phone_verified_at = d.user.phone_verified_at;
  c.roles = d.roles;
  c.tenant_id = s.tenant_id;
  // The session's own flag too: with mfa.required a user whose switch is
  // off still gets a pending session, and its tokens must say so.
  c.is_mfa_enabled = d.user.is_mfa_enabled || d.is_mfa_enabled.value_or(false);
  c.is_mfa_verified = d.is_mfa_verified;
  c.iat = now_seconds;
  return c;
}

TokenPair TokenService::Sign(const Session& s, std::int64_t now_seconds, std::string jti) const {
  TokenClaims c = BaseClaims(s, now_seconds);
  TokenPair pair;
  c.type = kTokenTypeAccess;
  c.exp = now_seconds + options_.access_token_ttl_seconds;
  pair.access_token = crypto::JwtSignHs256(codec_.Encode(c), options_.jwt_secret);
  c.type = kTokenTypeRefresh;
  c.jti = std::move(jti);
  c.exp = now_seconds + options_.refresh_token_ttl_seconds;
  pair.refresh_token = crypto::JwtSignHs256(codec_.Encode(c), options_.jwt_secret);
  return pair;
}

TokenPair TokenService::Mint(const Session& s, std::int64_t now_seconds) const {
  return Sign(s, now_seconds, random_.UuidV4());
}

TokenPair TokenService::MintSuccessor(const Session& s, std::string_view presented_hash,
                                      std::int64_t now_seconds) const {
  std::string seed = crypto::HmacSha256(
      options_.jwt_secret, std::string("authd:rotation-jti:") + std::string(presented_hash));
  return Sign(s, now_seconds, UuidFromBytes(std::move(seed)));
}

std::string TokenService::RefreshHash(std::string_view refresh_token) const {
  return crypto::HmacSha256Hex(options_.jwt_secret, refresh_token);
}

std::optional<TokenClaims> TokenService::Verify(std::string_view token,
                                                std::int64_t now_seconds) const {
  crypto::JwtVerifyResult r = crypto::JwtVerifyHs256(token, options_.jwt_secret, now_seconds);
  if (!r.jwt) return std::nullopt;
  return codec_.Decode(r.jwt->payload_json);
}

}  // namespace authd::session
