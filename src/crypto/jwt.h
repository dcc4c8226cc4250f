// Compact JWS with HS256 only, byte-compatible with the reference's
// jsonwebtoken (same header, same exp/nbf semantics).
//
// The algorithm allow-list is fixed: the header must be a JSON object whose
// "alg" is exactly the string "HS256" (and "typ", if present, exactly "JWT").
// "none", every other alg (including "hs256"), a missing alg, "crit" and
// "b64" (RFC 7797: changes what is signed) are rejected; other header members
// (e.g. "kid") are ignored since the key is fixed. Every segment must be
// strict base64url (no padding, no whitespace, canonical trailing bits);
// exactly three segments, nothing before or after. Tokens over 64 KiB are
// rejected unread. Duplicate top-level keys in header or payload are
// malformed (JSON parsers disagree on which one wins).
//
// Order of checks: shape and base64url, header, signature (constant-time),
// and only then the payload JSON and its time claims, so claims are never
// parsed from unauthenticated bytes.
//
// The payload is returned as raw JSON text (the caller parses it with its
// JSON library: crypto stays JSON-free; a small bounded scanner in
// json_scan.h reads the few members needed here).
// Thread-safety: stateless functions.
#ifndef AUTHD_CRYPTO_JWT_H_
#define AUTHD_CRYPTO_JWT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authd::crypto {

// Signs `payload_json` (already serialised, key order preserved) with the
// header {"alg":"HS256","typ":"JWT"}.
std::string JwtSignHs256(std::string_view payload_json, std::string_view key);

enum class JwtError {
  kMalformed,     // segments, base64url, JSON shape, non-numeric exp/nbf
  kBadAlgorithm,  // alg != HS256, alg none, crit, b64, typ != JWT
  kBadSignature,  // HMAC mismatch (wrong key or tampered token)
  kExpired,       // now >= exp (no leeway)
  kNotYetValid,   // nbf > now
};

struct VerifiedJwt {
  std::string payload_json;  // decoded payload bytes (a JSON object)
  // Whole seconds (a fractional value is floored, huge ones saturate).
  std::int64_t exp = 0;  // 0 if absent
  std::int64_t iat = 0;  // 0 if absent or not a number (not checked, as in
                         // jsonwebtoken without maxAge)
};

struct JwtVerifyResult {
  std::optional<VerifiedJwt> jwt;
  JwtError error = JwtError::kMalformed;  // meaningful when !jwt
};

// Verifies signature and time claims at `now_seconds`. A token without exp
// is accepted (the reference's jsonwebtoken does the same); every token
// authd issues has one. exp/nbf may be any finite JSON number; any other
// type is kMalformed. When both fail, nbf is reported (jsonwebtoken's order).
JwtVerifyResult JwtVerifyHs256(std::string_view token, std::string_view key,
                               std::int64_t now_seconds);

}  // namespace authd::crypto

#endif  // AUTHD_CRYPTO_JWT_H_
