#include "crypto/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

#include "crypto/encoding.h"

namespace authd::crypto {
namespace {

// These only fail on allocation failure or a broken OpenSSL install; there is
// no meaningful recovery and returning a wrong MAC would be worse.
[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "authd: %s failed; aborting\n", what);
  std::abort();
}

const unsigned char* U8(std::string_view s) {
  // OpenSSL rejects some NULL pointers even with a zero length.
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t out_len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, U8(key),
                key.size(), U8(message), message.size(), out, sizeof(out),
                &out_len) == nullptr ||
      out_len != 32) {
    Die("HMAC-SHA256");
  }
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

std::string Sha256(std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  if (EVP_Digest(U8(message), message.size(), out, &out_len, EVP_sha256(),
                 nullptr) != 1 ||
      out_len != 32) {
    Die("SHA-256");
  }
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  return HexEncode(HmacSha256(key, message));
}

std::string Sha256Hex(std::string_view message) {
  return HexEncode(Sha256(message));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Lengths are public (a MAC's length is fixed); only the contents must not
  // leak through timing.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace authd::crypto
