// PasswordOptions: argon2id cost and the password policy.
#ifndef AUTHD_IDENTITY_PASSWORD_OPTIONS_H_
#define AUTHD_IDENTITY_PASSWORD_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace authd::identity {

struct PasswordOptions {
  // Argon2id cost; the reference's defaults (node-argon2).
  std::uint32_t argon2_memory_kib = 65536;
  std::uint32_t argon2_time_cost = 3;
  std::uint32_t argon2_parallelism = 4;

  // Policy (reference `password.policy`); authd enables it by default.
  bool policy_enabled = true;
  int min_length = 8;
  int max_length = 128;
  bool block_common_passwords = true;
  std::vector<std::string> blocklist;  // case-insensitive exact match
  bool block_contains_identifier = true;
};

}  // namespace authd::identity

#endif  // AUTHD_IDENTITY_PASSWORD_OPTIONS_H_
