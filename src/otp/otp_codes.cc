#include "otp/otp_codes.h"

#include <cstdint>

#include "core/errors.h"
#include "crypto/hmac.h"

namespace authd::otp {
namespace {

constexpr std::string_view kDigits = "0123456789";

// Trims JavaScript's whitespace set as far as codes go (ASCII space, tab,
// CR, LF, VT, FF).
std::string_view Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string OtpCodes::RandomCode(int length, CodeFormat format) {
  const std::string_view alphabet =
      format == CodeFormat::kNumeric ? kDigits : kAlphanumericAlphabet;
  // Rejection sampling: bytes >= limit would favour the first symbols.
  const unsigned n = static_cast<unsigned>(alphabet.size());
  const unsigned limit = 256 - 256 % n;
  std::string code;
  code.reserve(static_cast<size_t>(length));
  unsigned char buf[32];
  while (static_cast<int>(code.size()) < length) {
    random_.Fill(buf, sizeof buf);
    for (unsigned char b : buf) {
      if (b >= limit) continue;
      code.push_back(alphabet[b % n]);
      if (static_cast<int>(code.size()) == length) break;
    }
  }
  return code;
}

OtpCodes::Fresh OtpCodes::Make(const core::TenantId& tenant, const core::UserId& user,
                               Purpose purpose, std::string_view binding) {
  const bool reset = purpose == Purpose::kPasswordReset;
  Fresh f;
  f.plain = RandomCode(reset ? options_.reset_length : 6,
                       reset ? options_.reset_format : CodeFormat::kNumeric);
  const core::UnixMillis now = clock_.NowMillis();
  f.row.id = random_.UuidV4();
  f.row.user_id = user;
  f.row.tenant_id = tenant;
  f.row.purpose = purpose;
  f.row.code_hash = Hash(f.plain, binding);
  f.row.attempts = 0;
  f.row.created_at = now;
  f.row.expires_at = now + options_.code_ttl_ms;
  return f;
}

std::string OtpCodes::Hash(std::string_view plain, std::string_view binding) const {
  if (binding.empty()) return crypto::HmacSha256Hex(key_, plain);
  return crypto::HmacSha256Hex(key_, std::string(binding) + ":" + std::string(plain));
}

int OtpCodes::TtlMinutes() const {
  const std::int64_t m = options_.code_ttl_ms / 60000;
  return m < 1 ? 1 : static_cast<int>(m);
}

core::Status OtpCodes::Consume(OtpStore& store, const core::TenantId& tenant,
                               const core::UserId& user, Purpose purpose, std::string_view plain,
                               std::string_view binding) const {
  const std::string_view code = Trim(plain);
  if (code.empty()) {
    return core::MakeError(core::Err::kCodeRequired);
  }
  auto outcome = store.Consume(tenant, user, purpose, Hash(code, binding), clock_.NowMillis(),
                               options_.max_attempts);
  if (!outcome.ok()) return outcome.error();
  switch (*outcome) {
    case ConsumeOutcome::kConsumed:
      return core::Status::Ok();
    case ConsumeOutcome::kExpired:
      return core::MakeError(core::Err::kCodeExpired);
    case ConsumeOutcome::kExhausted:
      return core::MakeError(core::Err::kCodeExhausted);
    case ConsumeOutcome::kInvalid:
      break;
  }
  return core::MakeError(core::Err::kCodeInvalid);
}

}  // namespace authd::otp
