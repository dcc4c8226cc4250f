#include "crypto/totp.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <limits>

#include "crypto/hmac.h"
#include "crypto/openssl_util.h"

namespace authd::crypto {
namespace {

using internal::Die;
using internal::U8;

const char* DigestName(OtpHash hash) {
  switch (hash) {
    case OtpHash::kSha1:
      return "SHA1";
    case OtpHash::kSha256:
      return "SHA256";
    case OtpHash::kSha512:
      return "SHA512";
  }
  Die("OTP digest selection");  // an OtpHash cast from a bad integer
}

bool ValidDigits(int digits) { return digits >= kMinOtpDigits && digits <= kMaxOtpDigits; }

std::uint32_t Pow10(int digits) {
  std::uint32_t p = 1;
  for (int i = 0; i < digits; ++i) p *= 10;
  return p;
}

// floor(unix_seconds / period); nullopt before the epoch or for a bad period.
std::optional<std::int64_t> TimeStep(std::int64_t unix_seconds, int period) {
  if (unix_seconds < 0 || period <= 0) return std::nullopt;
  return unix_seconds / period;
}

std::string FormatCode(std::uint32_t value, int digits) {
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out;
}

bool AllAsciiDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// One HMAC context keyed once: a verification computes up to
// 2 * kMaxTotpWindow + 1 codes with the same key, and re-initialising with
// a null key (EVP_MAC_init) keeps the key schedule, as ThreadHmac does.
class OtpMac {
 public:
  OtpMac(std::string_view key, OtpHash hash) : ctx_(internal::NewHmacContext()) {
    std::string digest(DigestName(hash));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest.data(), 0),
        OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(ctx_, U8(key), key.size(), params) != 1) {
      Die("OTP HMAC init");
    }
  }
  ~OtpMac() { EVP_MAC_CTX_free(ctx_); }  // cleanses the key
  OtpMac(const OtpMac&) = delete;
  OtpMac& operator=(const OtpMac&) = delete;

  // RFC 4226 §5.3: HMAC of the big-endian counter, dynamic truncation to a
  // 31-bit value, reduced mod 10^digits.
  std::uint32_t Code(std::uint64_t counter, std::uint32_t modulus) {
    unsigned char message[8];
    for (int i = 7; i >= 0; --i) {
      message[i] = static_cast<unsigned char>(counter & 0xff);
      counter >>= 8;
    }
    unsigned char out[EVP_MAX_MD_SIZE];
    std::size_t out_len = 0;
    if (EVP_MAC_init(ctx_, nullptr, 0, nullptr) != 1 ||
        EVP_MAC_update(ctx_, message, sizeof(message)) != 1 ||
        EVP_MAC_final(ctx_, out, &out_len, sizeof(out)) != 1 || out_len < 20) {
      Die("OTP HMAC");
    }
    // The offset is at most 15, so offset + 3 < 20 <= out_len.
    const std::size_t offset = out[out_len - 1] & 0x0f;
    const std::uint32_t binary = (static_cast<std::uint32_t>(out[offset] & 0x7f) << 24) |
                                 (static_cast<std::uint32_t>(out[offset + 1]) << 16) |
                                 (static_cast<std::uint32_t>(out[offset + 2]) << 8) |
                                 static_cast<std::uint32_t>(out[offset + 3]);
    return binary % modulus;
  }

 private:
  EVP_MAC_CTX* ctx_ = nullptr;
};

}  // namespace

std::string Hotp(std::string_view key, std::uint64_t counter, int digits, OtpHash hash) {
  if (!ValidDigits(digits)) return {};
  OtpMac mac(key, hash);
  return FormatCode(mac.Code(counter, Pow10(digits)), digits);
}

std::string Totp(std::string_view key, std::int64_t unix_seconds, int digits, int period,
                 OtpHash hash) {
  const std::optional<std::int64_t> step = TimeStep(unix_seconds, period);
  if (!step) return {};
  return Hotp(key, static_cast<std::uint64_t>(*step), digits, hash);
}

std::optional<std::int64_t> VerifyTotp(std::string_view key, std::string_view code,
                                       std::int64_t unix_seconds, int window, int digits,
                                       int period, OtpHash hash) {
  if (!ValidDigits(digits) || window < 0 || window > kMaxTotpWindow) {
    return std::nullopt;
  }
  const std::optional<std::int64_t> step = TimeStep(unix_seconds, period);
  if (!step) return std::nullopt;
  // The code's length and shape are not secret; its digits are.
  if (code.size() != static_cast<std::size_t>(digits) || !AllAsciiDigits(code)) {
    return std::nullopt;
  }
  OtpMac mac(key, hash);
  const std::uint32_t modulus = Pow10(digits);
  std::optional<std::int64_t> matched;
  // Nearest first: c, c-1, c+1, c-2, c+2, ... No early exit, so the time
  // taken does not depend on which step (if any) matched.
  for (int i = 0; i <= 2 * window; ++i) {
    const int offset = i % 2 == 0 ? i / 2 : -(i + 1) / 2;
    if (offset < 0 && *step < -offset) continue;  // before the epoch
    if (offset > 0 && *step > std::numeric_limits<std::int64_t>::max() - offset) {
      continue;
    }
    const std::int64_t candidate = *step + offset;
    const std::string expected =
        FormatCode(mac.Code(static_cast<std::uint64_t>(candidate), modulus), digits);
    if (ConstantTimeEquals(expected, code) && !matched) matched = candidate;
  }
  return matched;
}

}  // namespace authd::crypto
