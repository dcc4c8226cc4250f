// Helpers shared by the OpenSSL-backed primitives of this folder (HMAC,
// TOTP, AEAD); not part of crypto's public surface.
#ifndef AUTHD_CRYPTO_OPENSSL_UTIL_H_
#define AUTHD_CRYPTO_OPENSSL_UTIL_H_

#include <openssl/types.h>

#include <string_view>

namespace authd::crypto::internal {

// OpenSSL setup and MAC/cipher calls only fail on allocation failure or a
// broken install; there is no meaningful recovery, and a wrong MAC, code or
// ciphertext would be worse than stopping. Prints `what` and aborts.
[[noreturn]] void Die(const char* what);

// The bytes of `s` as OpenSSL wants them: it rejects some NULL pointers even
// with a zero length, so an empty view yields a pointer to a static byte.
const unsigned char* U8(std::string_view s);

// A new HMAC context with no digest or key set yet (the algorithm is fetched
// once per process and never freed). The caller frees it with
// EVP_MAC_CTX_free. Dies on failure.
EVP_MAC_CTX* NewHmacContext();

}  // namespace authd::crypto::internal

#endif  // AUTHD_CRYPTO_OPENSSL_UTIL_H_
