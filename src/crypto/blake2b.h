// BLAKE2b (RFC 7693) with any digest length from 1 to 64 bytes, unkeyed.
// Argon2 needs the variable length (its H' ends on digests shorter than 64
// bytes), which OpenSSL 3.0's fixed BLAKE2b-512 does not offer.
//
// Thread-safety: a Blake2b object is not shared; the class has no state
// beyond its members.
#ifndef AUTHD_CRYPTO_BLAKE2B_H_
#define AUTHD_CRYPTO_BLAKE2B_H_

#include <cstddef>
#include <cstdint>

namespace authd::crypto {

class Blake2b {
 public:
  static constexpr std::size_t kMaxDigestBytes = 64;
  static constexpr std::size_t kBlockBytes = 128;

  // `digest_bytes` in 1..64.
  explicit Blake2b(std::size_t digest_bytes);

  void Update(const void* data, std::size_t n);
  // Writes digest_bytes bytes to `out`. Call once.
  void Final(void* out);

 private:
  void Compress(const std::uint8_t* block, bool last);

  std::uint64_t h_[8];
  std::uint64_t counter_lo_ = 0;
  std::uint64_t counter_hi_ = 0;
  std::uint8_t buffer_[kBlockBytes];
  std::size_t buffered_ = 0;
  std::size_t digest_bytes_;
};

}  // namespace authd::crypto

#endif  // AUTHD_CRYPTO_BLAKE2B_H_
