// libFuzzer target for the attacker-facing token parsers: the JSON scanner,
// strict base64url and JWT verification (valid signatures over arbitrary
// headers/payloads too). Built by scripts/fuzz.sh (CMake -DAUTHD_FUZZ=ON);
// seeds in fuzz/corpus/jwt_fuzz/.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/encoding.h"
#include "crypto/json_scan.h"
#include "crypto/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)authd::crypto::internal::ScanJsonObject(input);
  (void)authd::crypto::Base64UrlDecode(input);
  (void)authd::crypto::JwtVerifyHs256(input, "fuzz-key", 1700000000);
  // Also reach the header and payload scanners behind valid base64url.
  const std::string b64 = authd::crypto::Base64UrlEncode(input);
  (void)authd::crypto::JwtVerifyHs256(b64 + ".e30.", "fuzz-key", 1700000000);
  (void)authd::crypto::JwtVerifyHs256(authd::crypto::JwtSignHs256(input, "fuzz-key"), "fuzz-key",
                                      1700000000);
  return 0;
}
