// HMAC-SHA256, SHA-256 and constant-time comparison (OpenSSL 3).
// The digest functions cannot fail short of allocation failure or a broken
// OpenSSL; they abort then rather than return a wrong value.
// Thread-safety: stateless; safe to call concurrently.
#ifndef AUTHD_CRYPTO_HMAC_H_
#define AUTHD_CRYPTO_HMAC_H_

#include <string>
#include <string_view>

namespace authd::crypto {

// Raw 32-byte digests.
std::string HmacSha256(std::string_view key, std::string_view message);
std::string Sha256(std::string_view message);

// Lower-case hex of the above (64 chars): the form the reference stores.
std::string HmacSha256Hex(std::string_view key, std::string_view message);
std::string Sha256Hex(std::string_view message);

// True iff a and b are equal, in time that depends only on their lengths
// (CRYPTO_memcmp). Different lengths compare unequal.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace authd::crypto

#endif  // AUTHD_CRYPTO_HMAC_H_
