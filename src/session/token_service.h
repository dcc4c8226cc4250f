// TokenService: mints and checks the HS256 access/refresh JWTs of sessions.
//
// Access tokens carry no jti (two minted in the same second for the same
// session are byte-identical, as in the reference). Refresh tokens carry a
// jti; a rotation derives its jti from the HMAC of the token it replaces,
// so minting the successor of a given token at a given instant is
// deterministic: a retried refresh inside the grace window re-mints exactly
// the pair the first attempt returned, without storing any token.
// Thread-safety: immutable after construction; safe for concurrent use.
#ifndef AUTHD_SESSION_TOKEN_SERVICE_H_
#define AUTHD_SESSION_TOKEN_SERVICE_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "crypto/random.h"
#include "session/claims.h"
#include "session/session.h"
#include "session/session_options.h"

namespace authd::session {

struct TokenPair {
  std::string access_token;
  std::string refresh_token;
};

enum class RefreshCheck { kOk, kInvalid };

class TokenService {
 public:
  // `codec` and `random` must outlive this object.
  TokenService(const SessionOptions& options, const ClaimsCodec& codec,
               crypto::SecureRandom& random);
  TokenService(const TokenService&) = delete;
  TokenService& operator=(const TokenService&) = delete;

  // A fresh pair for `s` at `now_seconds` (random refresh jti).
  TokenPair Mint(const Session& s, std::int64_t now_seconds) const;

  // The pair that replaces `presented_hash` when rotated at `now_seconds`.
  TokenPair MintSuccessor(const Session& s, std::string_view presented_hash,
                          std::int64_t now_seconds) const;

  // HMAC-SHA256(jwt secret, token) hex: what a session stores.
  std::string RefreshHash(std::string_view refresh_token) const;

  // Verifies signature and expiry; any `type` is accepted (the callers
  // decide). nullopt for every malformed, forged or expired token.
  std::optional<TokenClaims> Verify(std::string_view token, std::int64_t now_seconds) const;

  const SessionOptions& options() const { return options_; }

 private:
  TokenClaims BaseClaims(const Session& s, std::int64_t now_seconds) const;
  TokenPair Sign(const Session& s, std::int64_t now_seconds, std::string jti) const;

  const SessionOptions options_;
  const ClaimsCodec& codec_;
  crypto::SecureRandom& random_;
};

}  // namespace authd::session

#endif  // AUTHD_SESSION_TOKEN_SERVICE_H_
