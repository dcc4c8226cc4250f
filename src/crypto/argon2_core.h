// Argon2 (RFC 9106): argon2d, argon2i and argon2id, versions 0x10 and 0x13.
// Our own implementation so that the fill loop can use the vectorised G of
// argon2_kernel.h; argon2id.h builds the PHC strings on top of it.
//
// Thread-safety: stateless; safe to call concurrently.
#ifndef AUTHD_CRYPTO_ARGON2_CORE_H_
#define AUTHD_CRYPTO_ARGON2_CORE_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/argon2_kernel.h"

namespace authd::crypto::argon2 {

enum class Type : std::uint32_t { kD = 0, kI = 1, kId = 2 };

constexpr std::uint32_t kVersion10 = 0x10;
constexpr std::uint32_t kVersion13 = 0x13;

struct Inputs {
  Type type = Type::kId;
  std::uint32_t version = kVersion13;
  std::uint32_t time_cost = 3;
  std::uint32_t memory_kib = 65536;
  std::uint32_t parallelism = 4;
  std::string_view password;
  std::string_view salt;
  std::string_view secret;           // K; PHC strings have none
  std::string_view associated_data;  // X; PHC strings have none
};

// Writes the tag (4 bytes or more) to `out`. `threads` (>= 1) lanes are
// filled at once; threads never change the output, lanes do. False if the
// inputs are invalid (t < 1, p < 1, m < 8p, salt < 8 bytes, tag < 4
// bytes, unknown version) or the memory cannot be had.
bool Compute(const Inputs& in, std::span<std::uint8_t> out, Kernel kernel, std::uint32_t threads);

}  // namespace authd::crypto::argon2

#endif  // AUTHD_CRYPTO_ARGON2_CORE_H_
