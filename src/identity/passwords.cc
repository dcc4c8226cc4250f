#include "identity/passwords.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/errors.h"
#include "crypto/argon2id.h"
#include "identity/common_passwords.h"

namespace authd::identity {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

crypto::Argon2Params ParamsOf(const PasswordOptions& o) {
  crypto::Argon2Params p;
  p.memory_kib = o.argon2_memory_kib;
  p.time_cost = o.argon2_time_cost;
  p.parallelism = o.argon2_parallelism;
  return p;
}

}  // namespace

std::size_t CodePointLength(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

Passwords::Passwords(const PasswordOptions& options, crypto::SecureRandom& random)
    : options_(options), random_(random) {}

core::Status Passwords::CheckPolicy(std::string_view password, std::string_view email) const {
  if (!options_.policy_enabled) return core::Status::Ok();
  if (password.empty()) {
    return core::MakeError(core::Err::kPasswordRequired);
  }
  std::size_t len = CodePointLength(password);
  if (len < static_cast<std::size_t>(options_.min_length)) {
    return core::MakeError(core::Err::kPasswordTooShort, options_.min_length);
  }
  if (len > static_cast<std::size_t>(options_.max_length)) {
    return core::MakeError(core::Err::kPasswordTooLong, options_.max_length);
  }
  std::string lower = Lower(password);
  if (options_.block_common_passwords && CommonPasswords().count(lower) > 0) {
    return core::MakeError(core::Err::kPasswordTooCommon);
  }
  for (const std::string& banned : options_.blocklist) {
    if (Lower(banned) == lower) {
      return core::MakeError(core::Err::kPasswordNotAllowed);
    }
  }
  if (options_.block_contains_identifier && !email.empty()) {
    std::string local = Lower(email.substr(0, email.find('@')));
    if (local.size() >= 3 && lower.find(local) != std::string::npos) {
      return core::MakeError(core::Err::kPasswordContainsEmail);
    }
  }
  return core::Status::Ok();
}

core::Result<std::string> Passwords::Hash(std::string_view password) const {
  return crypto::Argon2idHash(password, ParamsOf(options_), random_);
}

bool Passwords::Verify(std::string_view password, std::string_view phc) const {
  return crypto::Argon2Verify(password, phc);
}

const std::string& Passwords::DecoyHash() const {
  std::call_once(decoy_once_, [this] {
    auto h = crypto::Argon2idHash(random_.TokenBase64Url(16), ParamsOf(options_), random_);
    decoy_hash_ = h.ok() ? *h : std::string();
  });
  return decoy_hash_;
}

bool Passwords::VerifyUnknownUser(std::string_view password) const {
  (void)crypto::Argon2Verify(password, DecoyHash());
  return false;
}

void Passwords::Warm() const { (void)DecoyHash(); }

}  // namespace authd::identity
