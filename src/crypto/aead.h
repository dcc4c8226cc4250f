// Authenticated encryption of small secrets at rest (TOTP secrets):
// AES-256-GCM with a random 96-bit nonce per seal and a 128-bit tag.
//
// Sealed form: "v1." + base64url(nonce[12] || ciphertext || tag[16]), text
// that fits a TEXT column. "v1" names exactly this scheme, so a later scheme
// (or key rotation) can be told apart by its prefix.
//
// The AAD binds a sealed value to where it belongs (e.g. tenant id, identity
// id and the column's purpose): a value copied to another row does not open.
// It is authenticated, not stored; Open needs the same bytes.
//
// Nonces are random, so one key may seal at most 2^32 values (NIST SP
// 800-38D §8.3) — far beyond one per TOTP enrolment; rotate past that.
//
// Keys are exactly kAeadKeyBytes raw bytes; derive them with DeriveKey, never
// use a configured string directly. A key of any other length is a
// programming error that fails closed: Seal returns "" (which Open rejects)
// and Open returns nullopt; neither aborts nor falls back to a weaker mode.
// OpenSSL failures other than authentication (allocation) abort, as in
// hmac.h.
// Thread-safety: stateless; safe to call concurrently (given a thread-safe
// SecureRandom, as OsRandom() is).
#ifndef AUTHD_CRYPTO_AEAD_H_
#define AUTHD_CRYPTO_AEAD_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/random.h"

namespace authd::crypto {

inline constexpr std::size_t kAeadKeyBytes = 32;

// Encrypts and authenticates `plaintext`, authenticating `aad` too. Two
// seals of the same input differ (fresh nonce from `random`).
// REQUIRES: key32.size() == kAeadKeyBytes, and plaintext and aad shorter
// than 2 GiB; else returns "".
std::string Seal(std::string_view key32, std::string_view plaintext, std::string_view aad,
                 SecureRandom& random);

// The plaintext of a Seal with the same key and aad, or nullopt if `sealed`
// is not one: wrong prefix, not strict base64url, shorter than nonce + tag,
// or any altered byte, wrong key or wrong aad (the tag does not verify).
// No partial plaintext is ever returned.
std::optional<std::string> Open(std::string_view key32, std::string_view sealed,
                                std::string_view aad);

// A kAeadKeyBytes key for one `purpose` (e.g. "totp-secret"), derived from a
// configured secret: HMAC-SHA256(secret, "authd/" + purpose). Distinct
// purposes give independent keys, so one configured secret can serve
// several uses. REQUIRES: `secret` is high-entropy (>= 32 random bytes);
// this is a PRF, not a password hash.
std::string DeriveKey(std::string_view secret, std::string_view purpose);

namespace internal {

// Seal with a caller-chosen nonce. Test-only (known-answer vectors): reusing
// a nonce under one key breaks GCM's confidentiality and authenticity.
// REQUIRES: nonce12.size() == 12, and as for Seal; else returns "".
std::string SealWithNonce(std::string_view key32, std::string_view nonce12,
                          std::string_view plaintext, std::string_view aad);

}  // namespace internal
}  // namespace authd::crypto

#endif  // AUTHD_CRYPTO_AEAD_H_
