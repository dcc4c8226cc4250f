#include "crypto/random.h"

#include <openssl/rand.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "crypto/encoding.h"

namespace authd::crypto {
namespace {

// OpenSSL's RAND_bytes draws from the OS-seeded DRBG and is thread-safe.
class OsSecureRandom final : public SecureRandom {
 public:
  void Fill(void* out, std::size_t n) override {
    auto* p = static_cast<unsigned char*>(out);
    while (n > 0) {
      const int chunk = n > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(n);
      if (RAND_bytes(p, chunk) != 1) {
        // No secure fallback exists: continuing would mint guessable secrets.
        std::fputs("authd: RAND_bytes failed; aborting\n", stderr);
        std::abort();
      }
      p += chunk;
      n -= static_cast<std::size_t>(chunk);
    }
  }
};

}  // namespace

std::string SecureRandom::Bytes(std::size_t n) {
  std::string out(n, '\0');
  if (n > 0) Fill(out.data(), n);
  return out;
}

std::string SecureRandom::UuidV4() {
  unsigned char b[16];
  Fill(b, sizeof(b));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

std::string SecureRandom::TokenBase64Url(std::size_t n) { return Base64UrlEncode(Bytes(n)); }

SecureRandom& OsRandom() {
  // Stateless; a function-local static gives thread-safe, leak-free init.
  static OsSecureRandom instance;
  return instance;
}

}  // namespace authd::crypto
