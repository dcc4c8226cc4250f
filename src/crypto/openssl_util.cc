#include "crypto/openssl_util.h"

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

}  // namespace authd::crypto::internal
