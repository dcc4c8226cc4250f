// SecureRandom: the only source of entropy (OS CSPRNG via OpenSSL RAND_bytes).
// Thread-safety: all functions are safe for concurrent use.
#ifndef AUTHD_CRYPTO_RANDOM_H_
#define AUTHD_CRYPTO_RANDOM_H_

#include <cstddef>
#include <string>

namespace authd::crypto {

class SecureRandom {
 public:
  virtual ~SecureRandom() = default;
  // Fills `out` with `n` random bytes. Aborts the process if the CSPRNG fails
  // (no secure fallback exists).
  virtual void Fill(void* out, std::size_t n) = 0;

  std::string Bytes(std::size_t n);
  // Random UUID v4, lower-case canonical form.
  std::string UuidV4();
  // `n` random bytes, base64url without padding.
  std::string TokenBase64Url(std::size_t n);
};

// The process-wide OS CSPRNG. Never null.
SecureRandom& OsRandom();

}  // namespace authd::crypto

#endif  // AUTHD_CRYPTO_RANDOM_H_
