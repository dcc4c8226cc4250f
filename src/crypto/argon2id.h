// Argon2id password hashing in the PHC string format
// `$argon2id$v=19$m=65536,t=3,p=4$<b64 salt>$<b64 hash>` (standard base64
// without padding), byte-compatible with node-argon2, so hashes from an
// existing nest-auth database verify unchanged.
//
// Hashing is CPU- and memory-bound (64 MiB, tens of ms): never call these on
// an I/O thread. Thread-safety: stateless; safe to call concurrently.
#ifndef AUTHD_CRYPTO_ARGON2ID_H_
#define AUTHD_CRYPTO_ARGON2ID_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/random.h"

namespace authd::crypto {

struct Argon2Params {
  std::uint32_t memory_kib = 65536;
  std::uint32_t time_cost = 3;
  std::uint32_t parallelism = 4;
  std::uint32_t salt_bytes = 16;
  std::uint32_t hash_bytes = 32;
};

// Returns the PHC string. Internal error if the memory cannot be had or `params` lie
// outside what Argon2Verify accepts (see below).
core::Result<std::string> Argon2idHash(std::string_view password, const Argon2Params& params,
                                       SecureRandom& random);

// True iff `phc` is a well-formed argon2id (or argon2i/argon2d) PHC string
// and `password` matches it; the parameters are read from the string.
// Malformed strings verify false. Comparison is constant-time.
// A stored hash is untrusted input: strings asking for more than 1 GiB
// (m > 1048576), t > 64, p > 64, salts outside 8..256 bytes or tags outside
// 4..256 bytes verify false without running argon2. Only the canonical form
// libargon2 and node-argon2 write is accepted: v=19 (or 16), parameters in
// m,t,p order, unpadded standard base64.
bool Argon2Verify(std::string_view password, std::string_view phc);

}  // namespace authd::crypto

#endif  // AUTHD_CRYPTO_ARGON2ID_H_
