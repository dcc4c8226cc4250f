// Passwords: the policy every new password must pass, and argon2id hashing.
//
// Hash and Verify are CPU- and memory-heavy (argon2id, 64 MiB by default):
// call them only from the hashing worker pool, never from an I/O thread.
// VerifyUnknownUser burns the same work as a real verification so a login
// for an unknown account takes as long as one with a wrong password.
// Thread-safety: safe for concurrent use.
#ifndef AUTHD_IDENTITY_PASSWORDS_H_
#define AUTHD_IDENTITY_PASSWORDS_H_

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/random.h"
#include "identity/password_options.h"

namespace authd::identity {

class Passwords {
 public:
  Passwords(const PasswordOptions& options, crypto::SecureRandom& random);
  Passwords(const Passwords&) = delete;
  Passwords& operator=(const Passwords&) = delete;

  // The reference policy, in its order: min, max, common list, blocklist,
  // identifier. `email` may be empty. Error: 400 PASSWORD_*.
  core::Status CheckPolicy(std::string_view password, std::string_view email) const;

  core::Result<std::string> Hash(std::string_view password) const;
  bool Verify(std::string_view password, std::string_view phc) const;
  // Same cost as Verify against a hash made with the current parameters;
  // always false.
  bool VerifyUnknownUser(std::string_view password) const;
  // Computes the decoy hash used by VerifyUnknownUser ahead of time.
  void Warm() const;

 private:
  const std::string& DecoyHash() const;

  const PasswordOptions options_;
  crypto::SecureRandom& random_;
  mutable std::once_flag decoy_once_;
  mutable std::string decoy_hash_;
};

// Number of Unicode code points in UTF-8 `s` (invalid bytes count as one).
std::size_t CodePointLength(std::string_view s);

}  // namespace authd::identity

#endif  // AUTHD_IDENTITY_PASSWORDS_H_
