#include "crypto/openssl_util.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace authd::crypto::internal {

void Die(const char* what) {
  std::fprintf(stderr, "authd: %s failed; aborting\n", what);
  std::abort();
}

const unsigned char* U8(std::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

EVP_MAC_CTX* NewHmacContext() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) Die("HMAC setup");
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  if (ctx == nullptr) Die("HMAC setup");
  return ctx;
}

}  // namespace authd::crypto::internal
