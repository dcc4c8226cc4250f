// libFuzzer target for the TOTP building blocks: strict Base32 (secrets
// arrive as Base32 text) and VerifyTotp with arbitrary keys, codes, times
// and parameters. Built by scripts/fuzz.sh (CMake -DAUTHD_FUZZ=ON); seeds in
// fuzz/corpus/base32_fuzz/.
//
// The whole input is Base32-decoded; whatever decodes must re-encode to its
// canonical spelling and decode to the same bytes again. For VerifyTotp the
// input is read as
//   [0] parameters: hash = b % 3, digits = 5 + b / 3 % 5 (5..9: the two
//       out-of-range values too), window = b / 15 % 4 - 1 (-1..2)
//   [1..8] unix seconds, host byte order (negative and huge values too)
//   [9] code length n (mod what is left), then n code bytes, then the key.
// Any mismatch aborts, so libFuzzer reports it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "crypto/encoding.h"
#include "crypto/totp.h"

namespace {

using authd::crypto::Base32Decode;
using authd::crypto::Base32Encode;

void Check(bool ok) {
  if (!ok) std::abort();
}

// Upper case, padding dropped: what Base32Encode produces for valid input.
std::string Canonical(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

void FuzzBase32(std::string_view input) {
  if (const auto decoded = Base32Decode(input)) {
    const std::string encoded = Base32Encode(*decoded);
    Check(encoded == Canonical(input));
    const auto again = Base32Decode(encoded);
    Check(again.has_value() && *again == *decoded);
  }
  // Every byte string encodes to text that decodes back to it.
  const auto back = Base32Decode(Base32Encode(input));
  Check(back.has_value() && *back == input);
}

void FuzzTotp(std::string_view input) {
  if (input.size() < 10) return;
  const auto params = static_cast<unsigned char>(input[0]);
  const auto hash = static_cast<authd::crypto::OtpHash>(params % 3);
  const int digits = 5 + params / 3 % 5;
  const int window = params / 15 % 4 - 1;
  std::int64_t now = 0;
  std::memcpy(&now, input.data() + 1, sizeof(now));
  std::string_view rest = input.substr(10);
  const std::size_t code_len = static_cast<unsigned char>(input[9]) % (rest.size() + 1);
  const std::string_view code = rest.substr(0, code_len);
  const std::string_view key = rest.substr(code_len);

  (void)authd::crypto::VerifyTotp(key, code, now, window, digits, 30, hash);
  // The key's own current code verifies at exactly the current step
  // whenever the parameters are in range.
  const std::string own = authd::crypto::Totp(key, now, digits, 30, hash);
  const auto step = authd::crypto::VerifyTotp(key, own, now, window, digits, 30, hash);
  if (own.empty() || window < 0) {
    Check(!step.has_value());
  } else {
    Check(own.size() == static_cast<std::size_t>(digits));
    Check(step.has_value() && *step == now / 30);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzBase32(input);
  FuzzTotp(input);
  return 0;
}
