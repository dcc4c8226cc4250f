#include "crypto/blake2b.h"

#include <algorithm>
#include <cstring>

namespace authd::crypto {
namespace {

constexpr std::uint64_t kIv[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

// Message word schedule of RFC 7693 §2.7; rounds 10 and 11 reuse rows 0, 1.
constexpr std::uint8_t kSigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

constexpr std::uint64_t RotR(std::uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

std::uint64_t LoadLe64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

Blake2b::Blake2b(std::size_t digest_bytes) : digest_bytes_(digest_bytes) {
  std::memcpy(h_, kIv, sizeof h_);
  // Parameter block: digest length, no key, fanout 1, depth 1.
  h_[0] ^= 0x01010000ULL ^ static_cast<std::uint64_t>(digest_bytes);
}

void Blake2b::Compress(const std::uint8_t* block, bool last) {
  std::uint64_t m[16];
  for (int i = 0; i < 16; ++i) m[i] = LoadLe64(block + 8 * i);
  std::uint64_t v[16];
  for (int i = 0; i < 8; ++i) {
    v[i] = h_[i];
    v[i + 8] = kIv[i];
  }
  v[12] ^= counter_lo_;
  v[13] ^= counter_hi_;
  if (last) v[14] = ~v[14];
  auto g = [&v, &m](int a, int b, int c, int d, std::uint8_t x, std::uint8_t y) {
    v[a] = v[a] + v[b] + m[x];
    v[d] = RotR(v[d] ^ v[a], 32);
    v[c] = v[c] + v[d];
    v[b] = RotR(v[b] ^ v[c], 24);
    v[a] = v[a] + v[b] + m[y];
    v[d] = RotR(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = RotR(v[b] ^ v[c], 63);
  };
  for (int r = 0; r < 12; ++r) {
    const std::uint8_t* s = kSigma[r % 10];
    g(0, 4, 8, 12, s[0], s[1]);
    g(1, 5, 9, 13, s[2], s[3]);
    g(2, 6, 10, 14, s[4], s[5]);
    g(3, 7, 11, 15, s[6], s[7]);
    g(0, 5, 10, 15, s[8], s[9]);
    g(1, 6, 11, 12, s[10], s[11]);
    g(2, 7, 8, 13, s[12], s[13]);
    g(3, 4, 9, 14, s[14], s[15]);
  }
  for (int i = 0; i < 8; ++i) h_[i] ^= v[i] ^ v[i + 8];
}

void Blake2b::Update(const void* data, std::size_t n) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  while (n > 0) {
    // The last block is compressed with the final flag, so a full buffer
    // waits until more input proves it is not the last.
    if (buffered_ == kBlockBytes) {
      counter_lo_ += kBlockBytes;
      if (counter_lo_ < kBlockBytes) ++counter_hi_;
      Compress(buffer_, false);
      buffered_ = 0;
    }
    const std::size_t take = std::min(n, kBlockBytes - buffered_);
    std::memcpy(buffer_ + buffered_, p, take);
    buffered_ += take;
    p += take;
    n -= take;
  }
}

void Blake2b::Final(void* out) {
  counter_lo_ += buffered_;
  if (counter_lo_ < buffered_) ++counter_hi_;
  std::memset(buffer_ + buffered_, 0, kBlockBytes - buffered_);
  Compress(buffer_, true);
  std::uint8_t digest[kMaxDigestBytes];
  for (int i = 0; i < 8; ++i) {
    for (int b = 0; b < 8; ++b) digest[8 * i + b] = static_cast<std::uint8_t>(h_[i] >> (8 * b));
  }
  std::memcpy(out, digest, digest_bytes_);
}

}  // namespace authd::crypto
