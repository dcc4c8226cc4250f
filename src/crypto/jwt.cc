#include "crypto/jwt.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "crypto/json_scan.h"

namespace authd::crypto {
namespace {

using internal::JsonKind;
using internal::JsonMember;

// Far above any token authd or the reference issues (~600 bytes); bounds the
// work an unauthenticated caller can make us do.
constexpr std::size_t kMaxTokenBytes = 64 * 1024;
constexpr std::string_view kHeaderJson = R"({"alg":"HS256","typ":"JWT"})";

JwtVerifyResult Fail(JwtError error) { return {std::nullopt, error}; }

struct Parts {
  std::string_view signing_input;  // "<header>.<payload>" as received
  std::string header;              // decoded bytes
  std::string payload;
  std::string signature;
};

// Exactly three strictly base64url-encoded segments; anything else (padding,
// whitespace, a fourth segment, a trailing '.') is malformed.
std::optional<Parts> Split(std::string_view token) {
  if (token.size() > kMaxTokenBytes) return std::nullopt;
  const std::size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return std::nullopt;
  const std::size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return std::nullopt;
  if (token.find('.', dot2 + 1) != std::string_view::npos) return std::nullopt;
  auto header = Base64UrlDecode(token.substr(0, dot1));
  auto payload = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = Base64UrlDecode(token.substr(dot2 + 1));
  if (!header || !payload || !signature) return std::nullopt;
  return Parts{token.substr(0, dot2), std::move(*header), std::move(*payload),
               std::move(*signature)};
}

const JsonMember* Find(const std::vector<JsonMember>& members, std::string_view key) {
  for (const JsonMember& m : members) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

// The allow-list: alg must be the string "HS256" (case-sensitive, RFC 7515
// §4.1.1), typ if present "JWT". "crit" would oblige us to understand
// extensions we do not implement, and "b64" (RFC 7797) changes what is
// signed, so both are refused rather than ignored.
std::optional<JwtError> CheckHeader(std::string_view header_json) {
  const auto header = internal::ScanJsonObject(header_json);
  if (!header) return JwtError::kMalformed;
  const JsonMember* alg = Find(*header, "alg");
  if (alg == nullptr || alg->kind != JsonKind::kString || alg->value != "HS256") {
    return JwtError::kBadAlgorithm;
  }
  const JsonMember* typ = Find(*header, "typ");
  if (typ != nullptr && (typ->kind != JsonKind::kString || typ->value != "JWT")) {
    return JwtError::kBadAlgorithm;
  }
  if (Find(*header, "crit") != nullptr || Find(*header, "b64") != nullptr) {
    return JwtError::kBadAlgorithm;
  }
  return std::nullopt;
}

enum class Claim { kAbsent, kPresent, kInvalid };

// Reads a NumericDate. Like jsonwebtoken, any JSON number is accepted
// (fractions too); other types, and magnitudes a double cannot hold, are
// invalid.
Claim ReadNumericDate(const std::vector<JsonMember>& payload, std::string_view key, double* out) {
  const JsonMember* m = Find(payload, key);
  if (m == nullptr) return Claim::kAbsent;
  if (m->kind != JsonKind::kNumber) return Claim::kInvalid;
  const char* first = m->value.data();
  const char* last = first + m->value.size();
  double v = 0;
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last || !std::isfinite(v)) {
    return Claim::kInvalid;
  }
  *out = v;
  return Claim::kPresent;
}

std::int64_t ToSeconds(double v) {
  if (v >= 0x1p63) return std::numeric_limits<std::int64_t>::max();
  if (v < -0x1p63) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(std::floor(v));
}

// Same order and comparisons as jsonwebtoken: nbf (type, then value), then
// exp (type, then value); expired when now >= exp, no leeway.
JwtVerifyResult CheckClaims(std::string payload_json, std::int64_t now) {
  const auto payload = internal::ScanJsonObject(payload_json);
  if (!payload) return Fail(JwtError::kMalformed);
  const double now_d = static_cast<double>(now);
  double nbf = 0;
  switch (ReadNumericDate(*payload, "nbf", &nbf)) {
    case Claim::kInvalid:
      return Fail(JwtError::kMalformed);
    case Claim::kPresent:
      if (nbf > now_d) return Fail(JwtError::kNotYetValid);
      break;
    case Claim::kAbsent:
      break;
  }
  VerifiedJwt jwt;
  double exp = 0;
  switch (ReadNumericDate(*payload, "exp", &exp)) {
    case Claim::kInvalid:
      return Fail(JwtError::kMalformed);
    case Claim::kPresent:
      if (now_d >= exp) return Fail(JwtError::kExpired);
      jwt.exp = ToSeconds(exp);
      break;
    case Claim::kAbsent:
      break;
  }
  // jsonwebtoken only type-checks iat when maxAge is used; a non-numeric iat
  // is ignored here too (reported as 0).
  double iat = 0;
  if (ReadNumericDate(*payload, "iat", &iat) == Claim::kPresent) {
    jwt.iat = ToSeconds(iat);
  }
  jwt.payload_json = std::move(payload_json);
  return {std::move(jwt), JwtError::kMalformed};
}

}  // namespace

std::string JwtSignHs256(std::string_view payload_json, std::string_view key) {
  std::string token = Base64UrlEncode(kHeaderJson);
  token.push_back('.');
  token += Base64UrlEncode(payload_json);
  const std::string signature = HmacSha256(key, token);
  token.push_back('.');
  token += Base64UrlEncode(signature);
  return token;
}

JwtVerifyResult JwtVerifyHs256(std::string_view token, std::string_view key,
                               std::int64_t now_seconds) {
  auto parts = Split(token);
  if (!parts) return Fail(JwtError::kMalformed);
  if (auto error = CheckHeader(parts->header)) return Fail(*error);
  // Authenticate before looking at any claim: the payload parser then only
  // ever sees bytes we signed ourselves.
  const std::string expected = HmacSha256(key, parts->signing_input);
  if (!ConstantTimeEquals(expected, parts->signature)) {
    return Fail(JwtError::kBadSignature);
  }
  return CheckClaims(std::move(parts->payload), now_seconds);
}

}  // namespace authd::crypto
